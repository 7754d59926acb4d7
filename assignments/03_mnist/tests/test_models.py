"""Tasks 4 and 8: the MLP and the small CNN as nn.Modules (architecture checked through their outputs)."""
import pytest
import torch

from conftest import by_shape, load_weights, parameters_of, uniform_weights


def n_params(params) -> int:
    return sum(p.numel() for p in params)


@pytest.mark.points(1)
def test_mlp_shapes_and_parameter_count(submission):
    model = submission.MLP()
    count = n_params(parameters_of(model))
    assert count == 101_770, (
        f"MLP() should have 784*128 + 128 + 128*10 + 10 = 101,770 parameters, got {count:,}")
    small = submission.MLP(hidden=24, n_classes=3)
    count = n_params(parameters_of(small))
    assert count == 784 * 24 + 24 + 24 * 3 + 3, (
        f"MLP(hidden=24, n_classes=3) should have {784 * 24 + 24 + 24 * 3 + 3:,} parameters, got {count:,}: "
        "use the constructor arguments")
    for shape in [(6, 1, 28, 28), (6, 784)]:
        out = model(torch.rand(*shape))
        assert isinstance(out, torch.Tensor) and tuple(out.shape) == (6, 10), (
            f"MLP() on input of shape {shape} should return logits of shape (6, 10), got {getattr(out, 'shape', out)}")


def mlp_weights(params, hidden, n_classes, seed):
    """The suite's weights for every MLP parameter (matched by shape: the tests use distinct sizes)."""
    assert hidden != n_classes, "the tests use distinct sizes so that every parameter has its own shape"
    roles = [((hidden, 784), 784, "first Linear weight"), ((hidden,), 784, "first Linear bias"),
             ((n_classes, hidden), hidden, "second Linear weight"), ((n_classes,), hidden, "second Linear bias")]
    for shape, _, what in roles:
        by_shape(params, shape, what)
    return [uniform_weights(shape, fan_in, seed + k) for k, (shape, fan_in, _) in enumerate(roles)]


@pytest.mark.points(2)
def test_mlp_computes_linear_relu_linear(submission, ref):
    torch.manual_seed(1)
    x = torch.rand(9, 1, 28, 28)
    for hidden, n_classes in [(128, 10), (24, 3)]:
        model = submission.MLP(hidden=hidden, n_classes=n_classes)
        weights = mlp_weights(parameters_of(model), hidden, n_classes, seed=hidden)
        load_weights(submission, model, {tuple(w.shape): w for w in weights})
        expected = ref.mlp_logits(x, *weights)
        got = torch.as_tensor(model(x))
        assert tuple(got.shape) == tuple(expected.shape), f"expected logits of shape {tuple(expected.shape)}, got {tuple(got.shape)}"
        err = (got - expected).abs().max().item()
        assert err < 1e-5, (
            f"MLP(hidden={hidden}, n_classes={n_classes}) output differs from Flatten -> Linear -> ReLU -> Linear "
            f"computed with its own weights by up to {err:.3g}: check the activation, and return raw logits "
            "(no softmax)")


@pytest.mark.points(1)
def test_cnn_shapes_and_parameter_count(submission):
    model = submission.SmallCNN()
    count = n_params(parameters_of(model))
    assert count == 20_490, f"SmallCNN() should have 160 + 4,640 + 15,690 = 20,490 parameters, got {count:,}"
    out = model(torch.rand(4, 1, 28, 28))
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (4, 10), (
        f"SmallCNN() on (4, 1, 28, 28) should return logits of shape (4, 10), got {getattr(out, 'shape', out)}")
    small = submission.SmallCNN(channels=(4, 6), n_classes=3)
    expected = (4 * 9 + 4) + (6 * 4 * 9 + 6) + (6 * 49 * 3 + 3)
    count = n_params(parameters_of(small))
    assert count == expected, (
        f"SmallCNN(channels=(4, 6), n_classes=3) should have {expected:,} parameters, got {count:,}: "
        "use the constructor arguments")


def cnn_weights(params, c1, c2, n_classes, seed):
    """The suite's weights for every SmallCNN parameter (matched by shape: the tests use distinct sizes)."""
    assert len({c1, c2, n_classes}) == 3, "the tests use distinct sizes so that every parameter has its own shape"
    roles = [((c1, 1, 3, 3), 9, "first Conv2d weight"), ((c1,), 9, "first Conv2d bias"),
             ((c2, c1, 3, 3), c1 * 9, "second Conv2d weight"), ((c2,), c1 * 9, "second Conv2d bias"),
             ((n_classes, c2 * 49), c2 * 49, "Linear weight"), ((n_classes,), c2 * 49, "Linear bias")]
    for shape, _, what in roles:
        by_shape(params, shape, what)
    return [uniform_weights(shape, fan_in, seed + k) for k, (shape, fan_in, _) in enumerate(roles)]


@pytest.mark.points(2)
def test_cnn_computes_conv_pool_conv_pool_linear(submission, ref):
    torch.manual_seed(2)
    x = torch.rand(5, 1, 28, 28)
    for (c1, c2), n_classes in [((16, 32), 10), ((4, 6), 3)]:
        model = submission.SmallCNN(channels=(c1, c2), n_classes=n_classes)
        weights = cnn_weights(parameters_of(model), c1, c2, n_classes, seed=100 + c1)
        load_weights(submission, model, {tuple(w.shape): w for w in weights})
        expected = ref.cnn_logits(x, *weights)
        got = torch.as_tensor(model(x))
        assert tuple(got.shape) == tuple(expected.shape), f"expected logits of shape {tuple(expected.shape)}, got {tuple(got.shape)}"
        err = (got - expected).abs().max().item()
        assert err < 1e-4, (
            f"SmallCNN(channels=({c1}, {c2}), n_classes={n_classes}) differs by up to {err:.3g} from "
            "[Conv3x3(padding=1) -> ReLU -> MaxPool2] x 2 -> Flatten -> Linear computed with its own weights: "
            "check the padding, the ReLUs, the pooling, and return raw logits")

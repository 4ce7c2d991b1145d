using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Optim;

public enum OptimizerKind { Sgd, AdamW }

/// <summary>The optimizer of a run: SGD with (Nesterov-free) momentum or AdamW, with decoupled weight decay for AdamW.</summary>
public sealed record OptimizerSpec(OptimizerKind Kind = OptimizerKind.Sgd, double Lr = 0.01, double Momentum = 0.9, double WeightDecay = 1e-4)
{
    public static OptimizerKind Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adamw" => OptimizerKind.AdamW,
        _ => throw new InputException($"`optimizer` {s}: expected sgd or adamw"),
    };

    public optim.Optimizer Create(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        if (Lr <= 0) throw new InputException($"`lr` {Lr}: must be positive");
        if (WeightDecay < 0) throw new InputException($"`weight-decay` {WeightDecay}: must be 0 or more");
        return Kind == OptimizerKind.Sgd
            ? optim.SGD(parameters, Lr, momentum: Momentum, weight_decay: WeightDecay)
            : optim.AdamW(parameters, Lr, weight_decay: WeightDecay);
    }

    public static void SetLr(optim.Optimizer optimizer, double lr)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }
}

namespace FaceBrain.Training.Optim;

public enum ScheduleKind { Constant, Step, Cosine }

/// <summary>
/// The learning rate as a pure function of the global step, so a resumed run needs only the step count:
/// linear warm-up over <see cref="WarmupSteps"/> from 0 to the base rate, then constant, step decay
/// (× <see cref="Gamma"/> every <see cref="StepEvery"/> steps after warm-up) or cosine to zero at <see cref="TotalSteps"/>.
/// </summary>
public sealed record Schedule(ScheduleKind Kind, double BaseLr, int TotalSteps, int WarmupSteps = 0, int StepEvery = 1, double Gamma = 0.1)
{
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        long t = step - WarmupSteps;
        return Kind switch
        {
            ScheduleKind.Constant => BaseLr,
            ScheduleKind.Step => BaseLr * Math.Pow(Gamma, t / Math.Max(1, StepEvery)),
            _ => BaseLr * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1.0, (double)t / Math.Max(1, TotalSteps - WarmupSteps)))),
        };
    }

    public static ScheduleKind Parse(string s) => s.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new InputException($"`schedule` {s}: expected constant, step or cosine"),
    };
}

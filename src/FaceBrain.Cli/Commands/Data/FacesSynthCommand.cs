using System.ComponentModel;
using System.Diagnostics;
using FaceBrain.Core;
using FaceBrain.Data.Synthesis;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>`facebrain faces synth`: synthetic faces in a real set's layout, with ground truth.</summary>
public sealed class FacesSynthCommand : Command<FacesSynthCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--layout <LAYOUT>")]
        [Description("kdef | lfw | vggface2 | manifest (default kdef).")]
        public string Layout { get; init; } = "kdef";

        [CommandOption("--identities <N>")]
        [Description("Number of people (KDEF: at most 70). Default 70.")]
        public int Identities { get; init; } = 70;

        [CommandOption("--per-identity <M>")]
        [Description("Images per person for lfw, vggface2 and manifest (KDEF: always 2 sessions x 7 expressions x 5 angles). Default 10.")]
        public int? PerIdentity { get; init; }

        [CommandOption("--size <PX>")]
        [Description("Image side in pixels (default 256).")]
        public int Size { get; init; } = 256;

        [CommandOption("--seed <S>")]
        [Description("Same seed and options, same bytes (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--strength <X>")]
        [Description("Expression strength, 0 neutral .. 1 full (default 1).")]
        public double Strength { get; init; } = 1.0;

        [CommandOption("--nuisance <X>")]
        [Description("Scale of light, jitter and noise; 0 for clean images (default 1).")]
        public double Nuisance { get; init; } = 1.0;

        [CommandOption("--pose-scale <X>")]
        [Description("Drawn yaw = KDEF angle x this (default 1: the real 45 and 90 degrees).")]
        public double PoseScale { get; init; } = 1.0;

        [CommandOption("--out <DIR>")]
        [Description("A new (or empty) folder; it appears only when complete.")]
        public string Out { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Out.Length == 0) throw new InputException("--out is required");
        var layout = SynthOptions.ParseLayout(s.Layout);
        if (layout == SynthLayout.Kdef && s.PerIdentity != null)
            throw new InputException("--per-identity does not apply to KDEF (always 2 sessions x 7 expressions x 5 angles per identity)");
        var options = new SynthOptions
        {
            Layout = layout, Identities = s.Identities, PerIdentity = s.PerIdentity ?? 10,
            Size = s.Size, Seed = s.Seed, Strength = s.Strength, NuisanceAmount = s.Nuisance, PoseScale = s.PoseScale,
        };
        var watch = Stopwatch.StartNew();
        var r = FaceSynthesizer.Write(options, s.Out, Interrupt.Token);
        Console.WriteLine($"wrote {r.Images} images of {r.Identities} identities ({s.Layout} layout, {s.Size} px) to {r.OutDir} in {watch.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"ground truth: {Path.Combine(r.OutDir, r.GroundTruth)}" + (r.Pairs > 0 ? $"; pairs.txt: {r.Pairs} pairs" : ""));
        return 0;
    }
}

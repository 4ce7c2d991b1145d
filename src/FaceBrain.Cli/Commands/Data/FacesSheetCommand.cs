using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Data.Synthesis;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>`facebrain faces sheet`: a contact sheet (identities × expressions, plus the five angles) as PNG.</summary>
public sealed class FacesSheetCommand : Command<FacesSheetCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <PNG>")]
        [Description("PNG file to write.")]
        public string Out { get; init; } = "";

        [CommandOption("--identities <N>")]
        [Description("Rows of identities (default 6).")]
        public int Identities { get; init; } = 6;

        [CommandOption("--size <PX>")]
        [Description("Side of each face in pixels (default 128).")]
        public int Size { get; init; } = 128;

        [CommandOption("--seed <S>")]
        [Description("Seed of the rendered faces (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--data <SPEC>")]
        [Description("Instead of rendering, tile the first --count images of a set (kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE, images:DIR), cropped to their face boxes when known.")]
        public string? Data { get; init; }

        [CommandOption("--count <N>")]
        [Description("Images to tile with --data (default 24, 8 per row).")]
        public int Count { get; init; } = 24;

        [CommandOption("--strength <X>")]
        [Description("Expression strength, 0 (neutral) to 1 (full prototype); default 1.")]
        public double Strength { get; init; } = 1.0;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Out.Length == 0) throw new InputException("--out is required");
        if (s.Size is < 32 or > 1024) throw new InputException($"--size must be 32..1024, got {s.Size}");
        if (s.Data != null)
        {
            var stimuli = FaceBrain.Data.Loading.DataSpec.Load(s.Data).Stimuli.Take(s.Count).ToList();
            var sources = new FaceBrain.Data.Images.ImagePipeline(new() { Size = s.Size }).Sources(stimuli);
            AtomicFile.WriteAllBytes(s.Out, ContactSheet.FromFiles(sources, 8, s.Size));
        }
        else AtomicFile.WriteAllBytes(s.Out, ContactSheet.Render(s.Seed, s.Identities, s.Size, s.Strength));
        Console.WriteLine($"wrote {s.Out}");
        return 0;
    }
}

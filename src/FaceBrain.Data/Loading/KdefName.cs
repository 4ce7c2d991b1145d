using System.Text.RegularExpressions;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>
/// A parsed KDEF file name, e.g. <c>AF01ANS.JPG</c>: session A/B, sex F/M, actor 01..35,
/// expression (AF AN DI HA NE SA SU), angle (FL HL S HR FR). Case-insensitive.
/// </summary>
public sealed record KdefName(string Session, string Sex, int Actor, Expression Expression, Angle Angle)
{
    static readonly Regex Pattern = new(
        @"^(?<session>[AB])(?<sex>[FM])(?<actor>\d{2})(?<expr>[A-Z]{2})(?<angle>[A-Z]{1,2})\.(?<ext>jpe?g)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>Identity = sex + actor number (70 identities), e.g. F01.</summary>
    public string Identity => $"{Sex}{Actor:00}";
    /// <summary>Actor folder name, e.g. AF01.</summary>
    public string Folder => $"{Session}{Sex}{Actor:00}";
    /// <summary>Canonical stem, e.g. AF01ANS.</summary>
    public string Stem => $"{Folder}{Expression.Code()}{Angle.Code()}";

    /// <summary>Parses a file name; on failure <paramref name="problem"/> says exactly what is wrong.</summary>
    public static bool TryParse(string fileName, out KdefName name, out string problem)
    {
        name = null!;
        problem = "";
        var m = Pattern.Match(fileName);
        if (!m.Success)
        {
            problem = "not a KDEF name (expected e.g. AF01ANS.JPG: session A/B, sex F/M, 2-digit actor, expression, angle)";
            return false;
        }
        int actor = int.Parse(m.Groups["actor"].Value);
        if (actor is < 1 or > 35) { problem = $"actor number {actor:00} is outside 01..35"; return false; }
        if (!KdefCodes.TryParseExpression(m.Groups["expr"].Value, out var e))
        {
            problem = $"unknown KDEF expression code '{m.Groups["expr"].Value}' (known: AF AN DI HA NE SA SU)";
            return false;
        }
        if (!KdefCodes.TryParseAngle(m.Groups["angle"].Value, out var a))
        {
            problem = $"unknown KDEF angle code '{m.Groups["angle"].Value}' (known: FL HL S HR FR)";
            return false;
        }
        name = new KdefName(m.Groups["session"].Value.ToUpperInvariant(), m.Groups["sex"].Value.ToUpperInvariant(), actor, e, a);
        return true;
    }

    public string FileName(string extension = ".JPG") => Stem + extension;
}

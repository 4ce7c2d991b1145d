namespace FaceBrain.Core.Domain;

/// <summary>The seven KDEF expression categories, in KDEF's code order.</summary>
public enum Expression { Afraid, Angry, Disgusted, Happy, Neutral, Sad, Surprised }

/// <summary>The five KDEF camera angles, left to right.</summary>
public enum Angle { FullLeft, HalfLeft, Straight, HalfRight, FullRight }

public static class KdefCodes
{
    static readonly string[] ExpressionCodes = ["AF", "AN", "DI", "HA", "NE", "SA", "SU"];
    static readonly string[] AngleCodes = ["FL", "HL", "S", "HR", "FR"];
    static readonly double[] AngleYaw = [-90, -45, 0, 45, 90];

    public static IReadOnlyList<Expression> AllExpressions { get; } = Enum.GetValues<Expression>();
    public static IReadOnlyList<Angle> AllAngles { get; } = Enum.GetValues<Angle>();

    public static string Code(this Expression e) => ExpressionCodes[(int)e];
    public static string Code(this Angle a) => AngleCodes[(int)a];

    /// <summary>Camera yaw in degrees (negative: the face seen from its left).</summary>
    public static double YawDegrees(this Angle a) => AngleYaw[(int)a];

    public static bool TryParseExpression(string code, out Expression e)
    {
        int i = Array.FindIndex(ExpressionCodes, c => string.Equals(c, code, StringComparison.OrdinalIgnoreCase));
        e = i < 0 ? default : (Expression)i;
        return i >= 0;
    }

    public static bool TryParseAngle(string code, out Angle a)
    {
        int i = Array.FindIndex(AngleCodes, c => string.Equals(c, code, StringComparison.OrdinalIgnoreCase));
        a = i < 0 ? default : (Angle)i;
        return i >= 0;
    }
}

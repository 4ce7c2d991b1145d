namespace FaceBrain.Data.Synthesis;

/// <summary>What a point of the face reflects: albedo (linear 0..1), specular strength and sharpness,
/// and how far light scatters under it (skin and lips scatter, eyes, teeth and hair do not).</summary>
internal struct Surfel
{
    public float R, G, B, Spec, Shine, Scatter;
}

/// <summary>
/// The face's relief and albedo at frontal (x, y) in head units, for one identity and expression. Both are
/// evaluated row by row (<see cref="Row"/> fixes y, so every term's vertical factor is computed once per
/// row): the relief shapes the rendered surface (nose, sockets, eyeballs, lids, lips, the folds and wrinkles
/// the action units make), the albedo colours it (skin with the person's undertone, ruddiness and texture,
/// lips, eyes, brows, stubble and beards). Not thread-safe: one instance per rendered face.
/// </summary>
internal sealed class FaceSurface
{
    readonly IdentityParams id;
    readonly ExpressionParams ex;
    readonly HeadModel h;
    readonly FaceGeometry.EyeShape[] eyes;
    readonly FaceGeometry.BrowShape[] brows;
    readonly double[][] browX, browY;
    readonly FaceGeometry.MouthShape m;
    readonly double ty, nw, es;
    readonly uint seed;
    readonly (double X, double Y, double R)[] moles;

    // row state
    double y, rudRow, rudNose, rudChin, shadowRow, underA0, underA1;
    bool foldRow, foreheadRow, lipRow, eyeRow, browRow, nostRow;
    double nostY, alarA, philT, philFade;
    double noseA, noseInv, tipA, tipInv, alaeA, nostA, ridgeA, sockA0, sockA1, ballA0, ballA1, cheekA, lipA, subA, mlA, chinA, nlbA;

    /// <summary>How far from the midline each nostril's opening sits (its dip and its dark albedo).</summary>
    double NostrilX => nw * 0.5;

    public FaceSurface(IdentityParams id, ExpressionParams ex, HeadModel h, FaceGeometry g)
    {
        this.id = id;
        this.ex = ex;
        this.h = h;
        eyes = [g.Eye(-1), g.Eye(1)];
        brows = [g.Brow(-1), g.Brow(1)];
        browX = new double[2][];
        browY = new double[2][];
        for (int s = 0; s < 2; s++)
        {
            var b = brows[s];
            browX[s] = new double[33];
            browY[s] = new double[33];
            for (int k = 0; k <= 32; k++)
            {
                // sorted by x whichever side the brow is on
                double t = s == 0 ? 1 - k / 32.0 : k / 32.0;
                (browX[s][k], browY[s][k]) = FaceGeometry.Quad(b.Xi, b.Yi, b.Xm, b.Ym, b.Xo, b.Yo, t);
            }
        }
        m = g.MouthGeometry();
        ty = g.NoseTipY;
        nw = id.NoseWidth * (1 + 0.15 * ex.NoseWrinkle);
        es = id.EyeSpacing;
        seed = (uint)(id.TextureSeed ^ (id.TextureSeed >> 32));
        var r = new Rng(id.TextureSeed ^ 0x3017E5UL);
        moles = new (double, double, double)[id.Moles];
        for (int k = 0; k < moles.Length; k++)
            moles[k] = (r.Uniform(-0.8, 0.8) * id.FaceWidth, r.Uniform(id.EyeHeight - 0.4, h.Chin - 0.15), r.Uniform(0.008, 0.016));
    }

    static double E(double d, double s) => ExpTable.NegExp(d * d / (2 * s * s));
    static double G(double dy, double s) => E(dy, s);
    static double Smooth(double e0, double e1, double v)
    {
        double t = Math.Clamp((v - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    /// <summary>Fixes the row: every term's vertical factor.</summary>
    public void Row(double yy)
    {
        y = yy;
        double eye = id.EyeHeight;
        double t = Math.Clamp((y - eye + 0.05) / (ty - eye + 0.05), 0, 1);
        noseA = y < ty + 0.12
            ? (0.05 + 0.16 * t) * (y > ty ? G(y - ty, 0.028) : 1) * (y < eye - 0.03 ? G(y - eye + 0.03, 0.042) : 1)
            : 0;
        double ns = 0.045 * id.NoseBridge + 0.06 * t * id.NoseWidth / 0.15;
        noseInv = 1 / (2 * ns * ns);
        tipA = 0.05 * id.NoseTip * G(y - ty + 0.03, 0.05);
        double ts = 0.06 * id.NoseTip;
        tipInv = 1 / (2 * ts * ts);
        alaeA = (0.045 + 0.015 * ex.NoseWrinkle) * G(y - ty + 0.005, 0.035);
        // one place for the nostrils: the relief's dip and the albedo's dark opening (Albedo) are both here
        nostY = ty + 0.032 - 0.012 * ex.NoseWrinkle;
        nostA = 0.05 * G(y - nostY, 0.012);
        // the alar crease round the nose wings; the philtrum between the nose and the lip
        alarA = y > ty - 0.07 && y < ty + 0.06 ? (0.008 + 0.004 * ex.NoseWrinkle) * G(y - ty - 0.005, 0.03) : 0;
        double philTop = ty + 0.05, philBot = m.OuterTop;
        bool philRow = y > philTop && y < philBot;
        philT = philRow ? (y - philTop) / Math.Max(1e-3, philBot - philTop) : 0;
        philFade = philRow ? Smooth(0, 0.3, philT) * (1 - Smooth(0.85, 1, philT)) : 0;
        nostRow = Math.Abs(y - nostY) < 0.05;
        double browY = eye - id.BrowHeight + 0.03 - 0.05 * ex.BrowRaise;
        // the brow ridge: stronger in men (the supraorbital torus is among the clearest sex differences of the skull)
        ridgeA = ((id.Sex == "M" ? 0.055 : 0.038) + 0.02 * ex.BrowTogether) * G(y - browY, 0.05);
        // socket and eyeball follow each eye's own height (the person's asymmetry lifts one)
        double sock = 0.04 + 0.05 * id.EyeDepth;
        sockA0 = sock * G(y - eyes[0].Cy + 0.02, 0.075); sockA1 = sock * G(y - eyes[1].Cy + 0.02, 0.075);
        ballA0 = 0.025 * G(y - eyes[0].Cy, 0.045); ballA1 = 0.025 * G(y - eyes[1].Cy, 0.045);
        cheekA = (0.02 + 0.05 * id.CheekBones + 0.08 * Math.Max(0, ex.CheekRaise)) * G(y - eye - 0.26 + 0.06 * ex.CheekRaise, 0.1);
        lipA = 0.03 * G(y - id.MouthHeight, 0.06);
        subA = 0.02 * G(y - ty - 0.1, 0.04);
        mlA = 0.025 * G(y - id.MouthHeight - 0.13 - 0.1 * ex.JawDrop, 0.035);
        chinA = (0.05 + 0.03 * ex.ChinRaise) * G(y - h.Chin + 0.14, 0.08);
        rudRow = G(y - eye - 0.3, 0.16); rudNose = 0.8 * G(y - ty, 0.07); rudChin = 0.5 * G(y - h.Chin + 0.12, 0.08);
        // the skin of the lids and sockets is darker and browner than the cheeks in everyone, more in some
        shadowRow = (0.05 + 0.12 * id.EyeShadow) * G(y - eye + 0.02, 0.08);
        double under = 0.012 * ex.LidTighten + 0.012 * Math.Max(0, ex.CheekRaise) + 0.008 * id.Age;
        underA0 = under * G(y - eyes[0].Cy - eyes[0].Lower - 0.035, 0.022);
        underA1 = under * G(y - eyes[1].Cy - eyes[1].Lower - 0.035, 0.022);
        eyeRow = Math.Abs(y - eye) < 0.25;
        browRow = y > Math.Min(brows[0].Ym, brows[1].Ym) - 0.12 && y < Math.Max(Math.Max(brows[0].Yi, brows[0].Yo), Math.Max(brows[1].Yi, brows[1].Yo)) + 0.12;
        lipRow = y > m.OuterTop - 0.05 && y < m.OuterBottom + 0.05;
        foldRow = y > ty - 0.1 && y < m.CornerY + 0.25;
        foreheadRow = y < eye - 0.1;
        nlbA = (0.012 + 0.035 * Math.Max(0, ex.CheekRaise) + 0.015 * id.Age) * G(y - (ty + m.CornerY) / 2, 0.1);
    }

    // the fine shape's largest shift (frontal units, about 4 mm) and its spatial frequency (cycles per unit)
    const double WarpAmp = 0.05, WarpFreq = 3;

    /// <summary>The person's own fine shape as a sideways displacement of the features in this row (frontal units):
    /// a drawn point x shows the feature at x + Shift(x). Mostly mirror-symmetric (odd in x, zero on the midline),
    /// a little one-sided; smooth at the scale of the features, so eyes, nose, lips and brows each get a shape of
    /// their own that no trait of the face space describes.</summary>
    public double Shift(double x)
    {
        double ax = Math.Abs(x), mid = ax / (ax + 0.08);
        double sym = Math.Sign(x) * mid * ValueNoise.At(ax * WarpFreq + 5.1, y * WarpFreq, seed + 91);
        double asym = ValueNoise.At(x * WarpFreq + 9.7, y * WarpFreq, seed + 92);
        return WarpAmp * (0.8 * sym + 0.35 * asym);
    }

    /// <summary>Where a feature at frontal x is drawn in the current row: the inverse of <see cref="Shift"/>.</summary>
    double Drawn(double x)
    {
        double d = x;
        for (int k = 0; k < 4; k++) d = x - Shift(d);
        return d;
    }

    /// <summary>Height of the face above the smooth head surface at (x, row).</summary>
    public double Relief(double x)
    {
        x += Shift(x);
        double ax = Math.Abs(x);
        double z = 0;
        if (noseA > 1e-4) z += noseA * Math.Exp(-x * x * noseInv);
        if (tipA > 1e-4) z += tipA * Math.Exp(-x * x * tipInv);
        if (alaeA > 1e-4) z += alaeA * E(ax - nw * 0.8, 0.045);
        if (nostA > 1e-4) z -= nostA * E(ax - NostrilX, 0.032);
        if (ridgeA > 1e-4) z += ridgeA * (E(x - es, 0.22) + E(x + es, 0.22));
        // eyes[0] is the image-left eye (x = −es)
        if (sockA0 + sockA1 > 1e-4) z -= sockA1 * E(x - es, 0.13) + sockA0 * E(x + es, 0.13);
        if (ballA0 + ballA1 > 1e-4) z += ballA1 * E(x - es, 0.09) + ballA0 * E(x + es, 0.09);
        if (cheekA > 1e-4) z += cheekA * (E(x - es - 0.08, 0.16) + E(x + es + 0.08, 0.16));
        if (lipA > 1e-4) z += lipA * E(x, id.MouthWidth * 0.8);
        if (subA > 1e-4) z -= subA * E(x, 0.12);
        if (mlA > 1e-4) z -= mlA * E(x, 0.15);
        if (chinA > 1e-4) z += chinA * E(x, 0.18);
        if (nlbA > 1e-4) z += nlbA * E(ax - m.Mw - 0.12, 0.07);
        if (philFade > 0) z += Philtrum(ax);
        if (alarA > 0) z -= alarA * E(ax - nw * 0.95 - 0.01, 0.012);
        if (foldRow || foreheadRow || eyeRow) z += Folds(x, ax);
        if (eyeRow) z += Eyes(x);
        if (lipRow) z += Lips(x, ax);
        if (id.Beard > 0) z += 0.03 * BeardCover(x, ax);
        // the person's own fine shape, beyond the face space's traits: soft bumps and hollows from their
        // texture seed, mostly symmetric (a face is a little asymmetric, some faces more)
        double lean = 0.2 + 0.2 * Math.Abs(id.Asymmetry);
        z += 0.035 * ((1 - lean) * ValueNoise.At(ax * 2.6, y * 2.6, seed + 71) + lean * ValueNoise.At(x * 2.6, y * 2.6, seed + 72));
        return z;
    }

    /// <summary>The philtrum: two soft columns from the nose to the peaks of the Cupid's bow, a groove between.</summary>
    double Philtrum(double ax)
    {
        if (ax > 0.12) return 0;
        double depth = (0.004 + 0.006 * id.LipBow) * philFade;
        return depth * (E(ax - 0.045 - 0.01 * philT, 0.014) - 0.5 * E(ax, 0.015));
    }

    /// <summary>Where a feature at frontal (x, y) is drawn, and the relief there (landmarks): fixes the row once.</summary>
    public (double X, double Relief) Feature(double x, double yy)
    {
        Row(yy);
        double xd = Drawn(x);
        return (xd, Relief(xd));
    }

    /// <summary>Folds and wrinkles as grooves in the surface: nasolabial folds, forehead lines, the glabella,
    /// the nose wrinkle, crow's feet, lower-lid bulge, smile dimples.</summary>
    double Folds(double x, double ax)
    {
        double z = 0, eye = id.EyeHeight;
        // nasolabial fold: from beside the nose wing down and out past the mouth corner
        double y0 = ty - 0.03 - 0.02 * ex.UpperLipRaise, y1 = m.CornerY + 0.12 + 0.05 * Math.Max(0, ex.CheekRaise);
        if (y > y0 - 0.02 && y < y1 + 0.02)
        {
            double tau = Math.Clamp((y - y0) / (y1 - y0), 0, 1);
            double x0 = id.NoseWidth * 1.2 + 0.02, x1 = m.Mw + 0.1 + 0.04 * Math.Max(0, ex.CheekRaise);
            double xf = x0 + (x1 - x0) * tau + 0.03 * Math.Sin(Math.PI * tau);
            double a = (0.006 + 0.02 * id.Age + 0.035 * Math.Max(0, ex.CheekRaise) + 0.03 * ex.NoseWrinkle + 0.02 * ex.UpperLipRaise)
                       * Math.Sqrt(1 - tau) * Smooth(0, 0.15, tau + 0.05);
            double d = ax - xf;
            z += a * (-E(d, 0.022) + 0.7 * E(d - 0.05, 0.04));
        }
        // forehead lines (AU1, AU2, age), following the brows' curve
        double browTop = eye - id.BrowHeight - 0.11 * ex.BrowRaise - 0.06;
        double fl = 0.004 * (1.3 * Math.Max(0, ex.BrowRaise) + 1.0 * Math.Max(0, ex.BrowInner) + 0.5 * id.Age);
        if (fl > 1e-4 && y < browTop && y > id.Hairline + 0.05)
        {
            double yy = y + 0.1 * x * x - (ex.BrowInner > 0 ? 0.03 * ex.BrowInner * E(x, 0.2) : 0);
            double p = Math.Sin(2 * Math.PI * (browTop - yy) / 0.07);
            double width = ex.BrowInner > ex.BrowRaise ? 0.3 : 0.55;
            z -= fl * p * p * p * p * (p > 0 ? 1 : 0) * E(x, width) * Smooth(0, 0.04, browTop - y);
        }
        // glabella: vertical lines between lowered, drawn-together brows (AU4)
        if (ex.BrowTogether > 0.05)
        {
            double gy = G(y - (eye - id.BrowHeight + 0.03), 0.055);
            z -= 0.012 * ex.BrowTogether * gy * E(ax - 0.045, 0.01);
            z += 0.008 * ex.BrowTogether * gy * E(x, 0.03);
        }
        // nose wrinkle (AU9): the nose's skin bunches into two or three creases across the root, bowed down at
        // the midline, and oblique lines down its sides toward the inner eye corners ("bunny lines"), about 5 mm
        // apart (0.07 units): finer ridges vanish at a photograph's resolution
        if (ex.NoseWrinkle > 0.05 && y > eye - 0.08 && y < eye + 0.22)
        {
            double yr = y - eye - 0.5 * x * x;
            double p = Math.Sin(2 * Math.PI * (yr + 0.06) / 0.07);
            double across = p * p * p * p * E(x, 0.08) * Smooth(eye - 0.08, eye - 0.04, y) * (1 - Smooth(eye + 0.06, eye + 0.12, y));
            double q = Math.Sin(2 * Math.PI * ((y - eye) - 0.9 * (ax - 0.04)) / 0.06);
            double sides = ax > 0.03 && ax < 0.17
                ? q * q * q * q * Smooth(0.03, 0.06, ax) * (1 - Smooth(0.12, 0.17, ax)) * Smooth(eye - 0.02, eye + 0.03, y) * (1 - Smooth(eye + 0.13, eye + 0.2, y))
                : 0;
            z -= 0.035 * ex.NoseWrinkle * (across + 0.8 * sides);
        }
        // crow's feet (AU6) and lower-lid tension (AU7)
        if (eyeRow) foreach (var e in eyes)
        {
            double ox = e.Xo, oy = e.Yo;
            double dx = (x - ox) * Math.Sign(ox), dy = y - oy;
            if (dx > 0 && dx < 0.22 && Math.Abs(dy) < 0.16)
            {
                double a = 0.004 * (Math.Max(0, ex.CheekRaise) + 0.3 * ex.LidTighten + 0.6 * id.Age);
                if (a > 1e-4)
                {
                    double r = Math.Sqrt(dx * dx + dy * dy), phi = Math.Atan2(dy, dx);
                    double p = Math.Sin(phi * 9);
                    z -= a * p * p * p * p * E(r - 0.09, 0.04);
                }
            }
            double ua = e.Cx < 0 ? underA0 : underA1;
            if (ua > 1e-4) z += ua * E(x - e.Cx, 0.1);
        }
        // smile dimples at the mouth corners
        if (ex.MouthCurve > 0.1) z -= 0.012 * ex.MouthCurve * E(ax - m.Mw - 0.025, 0.018) * G(y - m.CornerY, 0.03);
        return z;
    }

    /// <summary>The upper-lid crease's height at x (NaN beside the eye): one curve for its groove and its shade,
    /// above the lid's margin by the person's crease height (low and hooded .. high), lower with age.</summary>
    double CreaseY(in FaceGeometry.EyeShape e, double x)
    {
        double crease = e.Upper + 0.02 + 0.035 * id.LidCrease + 0.012 * (1 - id.Age);
        return FaceGeometry.Arc(e.X0 - 0.01, e.Y0 - 0.03, e.X1 + 0.01, e.Y1 - 0.03, e.UpperApexX, e.Cy - crease, x);
    }

    /// <summary>Eyeball behind the lid margins, cornea bulge, lid thickness and the lid crease.</summary>
    double Eyes(double x)
    {
        double z = 0;
        foreach (var e in eyes)
        {
            if (Math.Abs(x - e.Cx) > e.Ew * 1.3 || Math.Abs(y - e.Cy) > 0.2) continue;
            double yu = e.UpperY(x), yl = e.LowerY(x), yc = CreaseY(e, x);
            if (!double.IsNaN(yc)) z -= (0.004 + 0.006 * id.Age) * G(y - yc, 0.009);
            if (double.IsNaN(yu)) continue;
            if (y > yu && y < yl)
            {
                double u = (x - e.Cx) / e.Ew;
                z += -0.008 + 0.006 * (1 - u * u);
                double dx = x - e.Cx, dy = y - e.Cy - 0.004, r2 = (dx * dx + dy * dy) / (1.2 * e.Iris * 1.2 * e.Iris);
                if (r2 < 1) z += 0.008 * (1 - r2);
            }
            else if (y <= yu) z += 0.007 * G(y - yu + 0.012, 0.01);
            else z += 0.004 * G(y - yl - 0.008, 0.008);
        }
        return z;
    }

    /// <summary>Lip curves at x: outer top, inner top, inner bottom, outer bottom (NaN beside the mouth).</summary>
    (double Ot, double It, double Ib, double Ob) LipLines(double x)
    {
        double ot = m.OuterTopY(x);
        double ob = m.OuterY(m.OuterBottom, x);
        double it = m.InnerY(m.InnerTop, x);
        double ib = m.InnerY(m.InnerBottom, x);
        if (double.IsNaN(it)) { it = m.CornerY; ib = m.CornerY; }
        return (ot, it, ib, ob);
    }

    double Lips(double x, double ax)
    {
        if (ax > m.Mw || y < m.OuterTop - 0.05 || y > m.OuterBottom + 0.05) return 0;
        var (ot, it, ib, ob) = LipLines(x);
        if (double.IsNaN(ot)) return 0;
        double fade = 1 - Math.Pow(ax / m.Mw, 4);
        if (y > ot && y < it) return 0.016 * fade * Math.Sqrt(Math.Sin(Math.PI * (y - ot) / Math.Max(1e-3, it - ot)));
        if (y > ib && y < ob) return 0.02 * fade * Math.Sqrt(Math.Sin(Math.PI * (y - ib) / Math.Max(1e-3, ob - ib)));
        if (y >= it && y <= ib && m.Open)
            return MouthInterior(x, y) == Inside.Cavity ? -0.07 * fade : -0.03 * fade;
        return 0;
    }

    enum Inside { Cavity, UpperTeeth, LowerTeeth }

    /// <summary>What shows between parted lips at (x, y): the upper teeth down to their edge, the lower teeth
    /// from their top, the dark mouth between (a shut jaw shows both rows meeting).</summary>
    Inside MouthInterior(double x, double yy)
    {
        if (yy < m.UpperTeethEdgeAt(x)) return Inside.UpperTeeth;
        if (yy > m.LowerTeethTopAt(x)) return Inside.LowerTeeth;
        return Inside.Cavity;
    }

    /// <summary>The beard's upper edge on the cheek: from the mouth corner up and out to the sideburn.</summary>
    double CheekLine(double ax) => m.CornerY - 0.04 - (m.CornerY - 0.04 - id.EyeHeight - 0.2) * Smooth(m.Mw * 0.9, id.FaceWidth * 0.95, ax);

    /// <summary>How much beard hair covers (x, row), 0..1.</summary>
    double BeardCover(double x, double ax)
    {
        if (y < ty) return 0;
        var (ot, _, _, ob) = LipLines(x);
        double c = 0;
        bool onLips = !double.IsNaN(ot) && y > ot - 0.005 && y < ob + 0.005;
        if (onLips) return 0;
        // hair edges are ragged, not drawn with a ruler
        double ragged = 0.012 * ValueNoise.At(x * 40, y * 40, seed + 63);
        // moustache (every style): under the nose and down to the lip, its top edge falling away to the sides
        // (a chevron), its ends reaching a little past the mouth's corners
        double reach = m.Mw + 0.035;
        if (ax < reach + 0.03)
        {
            double u = ax / reach, top = ty + 0.04 + 0.07 * u * u + ragged;
            double bottom = double.IsNaN(ot) ? m.CornerY + 0.015 : ot;
            c = Math.Max(c, Smooth(top - 0.01, top + 0.015, y) * (1 - Smooth(bottom - 0.008, bottom + 0.002, y))
                            * (1 - Smooth(reach - 0.03, reach + 0.02, ax + ragged)));
        }
        // chin beard: below the lower lip, rounding in toward the chin
        if (id.Beard >= 2)
        {
            double below = double.IsNaN(ob) ? m.CornerY : ob;
            double half = m.Mw * 0.85 + 0.05 - 0.3 * Math.Max(0, y - below - 0.12) + ragged;
            if (ax < half + 0.03)
                c = Math.Max(c, Smooth(below + 0.008 + ragged, below + 0.035, y) * (1 - Smooth(half - 0.04, half + 0.01, ax)));
        }
        if (id.Beard == 3)
        {
            double line = CheekLine(ax);
            line += 0.05 * ValueNoise.At(x * 12, 3.7, seed + 61);
            c = Math.Max(c, Smooth(line, line + 0.14, y) * (ax > m.Mw + 0.02 || y > m.CornerY ? 1 : 0.0));
        }
        return c;
    }

    /// <summary>Albedo of the face's front at (x, row).</summary>
    public Surfel Albedo(double x)
    {
        x += Shift(x);
        double ax = Math.Abs(x), eye = id.EyeHeight;
        // skin: the person's tone, broad variation, mottle and pores from their texture seed
        double r = id.SkinR, g = id.SkinG, b = id.SkinB;
        double broad = 0.045 * ValueNoise.Fbm(x * 3, y * 3, seed);
        double mott = 0.03 * ValueNoise.At(x * 16, y * 16, seed + 7);
        double pore = 0.04 * ValueNoise.At(x * 75, y * 75, seed + 11);
        double lum = 1 + broad + mott + pore * (0.6 + 0.6 * G(y - ty, 0.12) * E(x, 0.25));
        double redN = 0.025 * ValueNoise.At(x * 5 + 3.3, y * 5, seed + 3);
        r *= lum * (1 + redN); g *= lum * (1 - redN); b *= lum * (1 - redN);
        // ruddy cheeks, nose and chin; darker, browner skin round the eyes
        double rud = (0.02 + 0.06 * id.Ruddiness) * (rudRow * (E(x - es - 0.06, 0.2) + E(x + es + 0.06, 0.2))
                     + (rudNose > 1e-3 ? rudNose * E(x, 0.09) : 0) + (rudChin > 1e-3 ? rudChin * E(x, 0.16) : 0));
        r *= 1 + 0.4 * rud; g *= 1 - rud; b *= 1 - 0.7 * rud;
        double sh = shadowRow > 1e-4 ? shadowRow * (E(x - es, 0.15) + E(x + es, 0.15)) : 0;
        r *= 1 - sh; g *= 1 - 1.2 * sh; b *= 1 - 1.3 * sh;
        // freckles and moles
        if (id.Freckles > 0)
        {
            double f = ValueNoise.At(x * 45, y * 45, seed + 19), band = G(y - eye - 0.22, 0.15) * E(x, 0.6);
            double d = Smooth(1 - 0.55 * id.Freckles * band, 1.05 - 0.55 * id.Freckles * band, f) * 0.35;
            r *= 1 - 0.7 * d; g *= 1 - d; b *= 1 - 1.2 * d;
        }
        foreach (var (mx, my, mr) in moles)
        {
            double d2 = ((x - mx) * (x - mx) + (y - my) * (y - my)) / (mr * mr);
            if (d2 < 1.5) { double k = 0.7 * (1 - Smooth(0.5, 1.5, d2)); r *= 1 - 0.6 * k; g *= 1 - 0.75 * k; b *= 1 - 0.8 * k; }
        }
        // nostrils: dark openings under the tip, flared and lifted by the nose wrinkler
        if (nostRow)
        {
            // two comma-shaped openings either side of a lighter columella, slanting up toward the tip
            double nx = NostrilX, rx = 0.24 * nw, ry = 0.013 * (1 + 0.2 * ex.NoseWrinkle);
            double dxn = (ax - nx) / rx, dyn = (y - nostY + 0.3 * (ax - nx)) / ry;
            double d2 = dxn * dxn + dyn * dyn;
            if (d2 < 1.3) { double k = 0.8 * (1 - Smooth(0.3, 1.3, d2)); r *= 1 - k; g *= 1 - 1.05 * k; b *= 1 - 1.05 * k; }
        }
        var s = new Surfel { Spec = (float)(0.05 + 0.07 * (G(y - eye + 0.45, 0.2) * E(x, 0.35) + G(y - ty + 0.1, 0.15) * E(x, 0.07))), Shine = 18, Scatter = 1 };
        // stubble: short dark hairs in the beard area
        if (id.Stubble > 0 && y > ty - 0.02)
        {
            double area = Smooth(ty, ty + 0.06, y) * (1 - Smooth(id.FaceWidth * 0.8, id.FaceWidth * 0.95, ax));
            double lineC = CheekLine(ax);
            area *= ax < m.Mw + 0.05 ? 1 : Smooth(lineC, lineC + 0.15, y);
            double speck = 0.5 + 0.5 * ValueNoise.At(x * 110, y * 110, seed + 23);
            double k = id.Stubble * area * speck * 1.1;
            r = r * (1 - k) + id.HairR * 0.5 * k; g = g * (1 - k) + id.HairG * 0.5 * k; b = b * (1 - k) + id.HairB * 0.5 * k;
        }
        if (lipRow) Lip(x, ax, ref r, ref g, ref b, ref s);
        if (eyeRow) Eye(x, ref r, ref g, ref b, ref s);
        if (browRow) Brow(x, ref r, ref g, ref b);
        if (id.Beard > 0)
        {
            double c = BeardCover(x, ax);
            if (c > 0)
            {
                double strand = 0.8 + 0.25 * ValueNoise.At(x * 90, y * 22, seed + 29);
                double k = Math.Min(1, c * (0.85 + 0.2 * ValueNoise.At(x * 30, y * 30, seed + 31)));
                r = r * (1 - k) + id.HairR * strand * k; g = g * (1 - k) + id.HairG * strand * k; b = b * (1 - k) + id.HairB * strand * k;
                s.Scatter *= (float)(1 - k); s.Spec = (float)(s.Spec * (1 - k) + 0.04 * k);
            }
        }
        s.R = (float)r; s.G = (float)g; s.B = (float)b;
        return s;
    }

    void Lip(double x, double ax, ref double r, ref double g, ref double b, ref Surfel s)
    {
        if (ax > m.Mw + 0.02 || y < m.OuterTop - 0.03 || y > m.OuterBottom + 0.03) return;
        var (ot, it, ib, ob) = LipLines(Math.Clamp(x, -m.Mw * 0.999, m.Mw * 0.999));
        if (double.IsNaN(ot)) return;
        const double soft = 0.008;
        double inLips = Smooth(ot - soft, ot + soft, y) * (1 - Smooth(ob - soft, ob + soft, y)) * (1 - Smooth(m.Mw - 0.03, m.Mw + 0.01, ax));
        if (inLips <= 0) return;
        // lips against the skin, linear: a little less red and much less green and blue (in a photograph the
        // lips are darker than the skin around them, as clear in grey as in colour)
        double red = id.LipRed;
        double lr = 0.7 + 0.1 * red, lg = 0.52 - 0.1 * red, lb = 0.54 - 0.08 * red; // brownish-pink .. red
        if (y > ib) { lr += 0.04; lg += 0.04; lb += 0.04; } // the lower lip catches more light
        double lines = 1 - 0.06 * Math.Pow(Math.Abs(Math.Sin(x * 95)), 6);
        double k = inLips;
        r *= 1 - k + k * lr * lines; g *= 1 - k + k * lg * lines; b *= 1 - k + k * lb * lines;
        s.Spec = (float)(s.Spec + 0.12 * k); s.Shine = (float)(18 + 30 * k);
        if (!m.Open)
        {
            // closed lips meet in a dark seam (the mouth's line in a photograph), deepest in the corners
            double corner = Smooth(m.Mw * 0.55, m.Mw * 0.98, ax) * (1 - Smooth(m.Mw * 0.98, m.Mw + 0.02, ax));
            double seam = (0.5 + 0.25 * corner) * E(y - it, 0.006 + 0.003 * corner) * (1 - Smooth(m.Mw * 0.96, m.Mw + 0.02, ax) * 0.6);
            r *= 1 - seam; g *= 1 - 1.1 * seam; b *= 1 - 1.1 * seam;
            s.Spec *= (float)(1 - seam);
        }
        if (m.Open && y > it && y < ib)
        {
            // the mouth: dark inside, teeth behind the lips, shaded toward the corners
            double c = Smooth(it - 0.004, it + 0.004, y) * (1 - Smooth(ib - 0.004, ib + 0.004, y));
            double cr = 0.28, cg = 0.11, cb = 0.11;
            var inside = MouthInterior(x, y);
            if (inside != Inside.Cavity)
            {
                bool lower = inside == Inside.LowerTeeth;
                double gap = 1 - 0.35 * Math.Pow(Math.Abs(Math.Cos(x * Math.PI / 0.058)), 40);
                // teeth darken toward the corners (the arch turns away) and in the lip's shadow above them
                double shade = (1 - 0.7 * Math.Pow(ax / m.Mw, 2)) * gap * (lower ? 0.75 : 0.7 + 0.3 * Smooth(it, it + 0.02, y));
                cr = 0.86 * shade; cg = 0.83 * shade; cb = 0.76 * shade;
                s.Spec = (float)(0.15 * c); s.Shine = 40;
            }
            else s.Spec = 0;
            r = r * (1 - c) + cr * c; g = g * (1 - c) + cg * c; b = b * (1 - c) + cb * c;
            s.Scatter = (float)(1 - c);
        }
    }

    void Eye(double x, ref double r, ref double g, ref double b, ref Surfel s)
    {
        foreach (var e in eyes)
        {
            if (Math.Abs(x - e.Cx) > e.Ew * 1.3 || Math.Abs(y - e.Cy) > 0.15) continue;
            double yu = e.UpperY(x), yl = e.LowerY(x);
            if (double.IsNaN(yu)) continue;
            double u = (x - e.Cx) / e.Ew;
            // lashes along the upper margin, thinning toward the inner corner: a photograph's strongest line
            // of the eye (a pixel or more at these sizes); a faint lower lash line; the lid crease as a soft shade
            double outward = u * Math.Sign(e.Xo - e.Xi);
            double lashW = 0.012 + 0.008 * Smooth(-1, 0.6, outward);
            double lash = 0.8 * E(y - yu + 0.005, lashW) * Smooth(-1.05, -0.6, outward);
            double lowLash = 0.3 * E(y - yl - 0.003, 0.006);
            double yc = CreaseY(e, x);
            if (!double.IsNaN(yc)) { double c = 0.14 * E(y - yc, 0.012); r *= 1 - c; g *= 1 - 1.15 * c; b *= 1 - 1.15 * c; }
            double open = Smooth(yu - 0.003, yu + 0.003, y) * (1 - Smooth(yl - 0.003, yl + 0.003, y));
            if (open > 0)
            {
                // eyeball: a greyish sclera darker toward the corners (a photographed sclera is no whiter than lit
                // skin: it is recessed under the lids), the iris, the pupil
                double cr = 0.74 - 0.2 * u * u, cg = 0.69 - 0.22 * u * u, cb = 0.67 - 0.22 * u * u;
                double dx = x - e.Cx, dy = y - e.Cy - 0.004, rr = Math.Sqrt(dx * dx + dy * dy) / e.Iris;
                if (rr < 1.05)
                {
                    double fib = 0.8 + 0.3 * ValueNoise.At(Math.Atan2(dy, dx) * 9 + 20, rr * 3, seed + 41);
                    double limb = 1 - 0.55 * Smooth(0.75, 1.0, rr);
                    double ir = id.IrisR * fib * limb, ig = id.IrisG * fib * limb, ib = id.IrisB * fib * limb;
                    double pupil = 1 - Smooth(0.34, 0.42, rr);
                    ir = ir * (1 - pupil) + 0.02 * pupil; ig = ig * (1 - pupil) + 0.02 * pupil; ib = ib * (1 - pupil) + 0.025 * pupil;
                    double k = 1 - Smooth(0.95, 1.05, rr);
                    cr = cr * (1 - k) + ir * k; cg = cg * (1 - k) + ig * k; cb = cb * (1 - k) + ib * k;
                }
                // the upper lid shades the top of the eyeball
                double shade = 1 - 0.6 * Math.Exp(-(y - yu) / 0.03);
                cr *= shade; cg *= shade; cb *= shade;
                r = r * (1 - open) + cr * open; g = g * (1 - open) + cg * open; b = b * (1 - open) + cb * open;
                s.Spec = (float)(s.Spec * (1 - open) + 0.9 * open); s.Shine = (float)(18 + 260 * open); s.Scatter = (float)(1 - open);
            }
            double l = Math.Min(1, lash + lowLash);
            r = r * (1 - l) + 0.05 * l; g = g * (1 - l) + 0.04 * l; b = b * (1 - l) + 0.04 * l;
        }
    }

    void Brow(double x, ref double r, ref double g, ref double b)
    {
        for (int sd = 0; sd < 2; sd++)
        {
            var xs = browX[sd];
            if (x < xs[0] - 0.02 || x > xs[^1] + 0.02) continue;
            var bs = brows[sd];
            if (Math.Abs(y - bs.Ym) > 0.15) continue;
            int k = Array.BinarySearch(xs, x);
            if (k < 0) k = ~k;
            k = Math.Clamp(k, 1, xs.Length - 1);
            double f = Math.Clamp((x - xs[k - 1]) / Math.Max(1e-9, xs[k] - xs[k - 1]), 0, 1);
            double yc = browY[sd][k - 1] + f * (browY[sd][k] - browY[sd][k - 1]);
            // 0 at the inner end .. 1 at the outer end
            double t = sd == 0 ? 1 - (k - 1 + f) / 32 : (k - 1 + f) / 32;
            double th = bs.Thickness * (1.05 - 0.6 * t * t) * 0.5;
            double d = Math.Abs(y - yc);
            double cover = (1 - Smooth(th * 0.6, th * 1.3, d)) * Smooth(-0.02, 0.03, Math.Min(x - xs[0], xs[^1] - x));
            if (cover <= 0) continue;
            // hairs: streaks along the brow, slanting up and out at the inner end
            double along = sd == 0 ? -x : x;
            double hairs = ValueNoise.At(along * 160 + (y - yc) * 60 * (1 - t), (y - yc) * 45, seed + 51 + (uint)sd);
            double dens = Math.Clamp(0.3 + 0.5 * id.BrowDensity + 0.4 * hairs, 0, 1) * cover * (0.9 - 0.3 * t);
            double hr = Math.Min(id.HairR, 0.35) * 0.75, hg = Math.Min(id.HairG, 0.27) * 0.75, hb = Math.Min(id.HairB, 0.2) * 0.75;
            r = r * (1 - dens) + hr * dens; g = g * (1 - dens) + hg * dens; b = b * (1 - dens) + hb * dens;
        }
    }
}

namespace FaceBrain.Report.Figures;

/// <summary>The three files every figure function writes: the picture for screens, the picture for papers, its data.</summary>
public sealed record FigureFiles(string Png, string Svg, string Tsv);

/// <summary>A value at one layer, with its confidence interval where one was computed.</summary>
public sealed record LayerValue(string Layer, double Value, double? CiLow = null, double? CiHigh = null);

/// <summary>One line across layers: <paramref name="Label"/> names it in the legend and the TSV.</summary>
public sealed record LayerSeries(string Label, IReadOnlyList<LayerValue> Layers);

/// <summary>A closed interval, e.g. a noise ceiling's lower and upper bound (equal bounds draw a line).</summary>
public sealed record Interval(double Low, double High);

/// <summary>A horizontal reference line (chance, zero) with its legend label.</summary>
public sealed record ReferenceLine(double Value, string Label);

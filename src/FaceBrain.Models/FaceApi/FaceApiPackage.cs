using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// The pretrained face-api networks, obtained from the npm package <c>@vladmandic/face-api@1.7.15</c> (MIT): the
/// package's published SHA-512 integrity and the SHA-256 of each model file are pinned here, so a corrupt or
/// tampered package, tarball or folder is refused. Only the files FaceBrain uses are unpacked, into
/// <see cref="CacheDir"/>, built under a temporary name and renamed into place when complete: a failure
/// leaves nothing half-unpacked.
/// </summary>
public static class FaceApiPackage
{
    public const string Package = "@vladmandic/face-api";
    public const string Version = "1.7.15";
    public const string Id = Package + "@" + Version;
    /// <summary><c>npm view @vladmandic/face-api@1.7.15 dist.integrity</c>.</summary>
    public const string Integrity = "sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==";

    /// <summary>The files taken from the package's <c>model/</c> folder, with their SHA-256.</summary>
    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>
    {
        ["face_recognition_model-weights_manifest.json"] = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
        ["face_recognition_model.bin"] = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589",
        ["face_expression_model-weights_manifest.json"] = "5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8",
        ["face_expression_model.bin"] = "9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d",
    };

    const string OfflineHint = "to fetch offline, get the tarball on a connected machine ('npm pack " + Id +
                               "') and run 'facebrain models fetch faceapi `from` vladmandic-face-api-" + Version + ".tgz'";

    /// <summary>The manifest of a face-api network, by model kind.</summary>
    public static string ManifestName(ModelKind kind) => kind switch
    {
        ModelKind.FaceApiRecognition => "face_recognition_model-weights_manifest.json",
        ModelKind.FaceApiExpression => "face_expression_model-weights_manifest.json",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"{kind} is not a face-api network"),
    };

    /// <summary>FACEBRAIN_CACHE, else $XDG_CACHE_HOME/facebrain, else ~/.cache/facebrain.</summary>
    public static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable("FACEBRAIN_CACHE") is { Length: > 0 } c) return Path.GetFullPath(c);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.GetFullPath(Path.Combine(xdg, "facebrain"));
    }

    public static string CacheDir() => Path.Combine(CacheRoot(), "models", $"faceapi-{Version}");

    public static bool IsCached() => Files.Keys.All(f => File.Exists(Path.Combine(CacheDir(), f)));

    /// <summary>The cache folder, fetched with npm first when missing; its files are checked against the pinned hashes.</summary>
    public static string Ensure(Action<string>? log = null)
    {
        if (!IsCached()) return FetchWithNpm(log);
        Verify(CacheDir(), $"cached copy (delete {CacheDir()} and run 'facebrain models fetch faceapi')");
        return CacheDir();
    }

    /// <summary><c>npm pack</c> into a temporary folder, then <see cref="FromTarball"/>. The npm command is FACEBRAIN_NPM or npm.</summary>
    public static string FetchWithNpm(Action<string>? log = null)
    {
        var npm = Environment.GetEnvironmentVariable("FACEBRAIN_NPM") is { Length: > 0 } n ? n : "npm";
        var tmp = Directory.CreateTempSubdirectory("facebrain-npm-");
        try
        {
            log?.Invoke($"fetching {Id} with '{npm} pack'");
            var psi = new ProcessStartInfo(npm) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = tmp.FullName };
            foreach (var a in new[] { "pack", Id, "--pack-destination", tmp.FullName, "--silent" }) psi.ArgumentList.Add(a);
            Process p;
            try { p = Process.Start(psi) ?? throw new Win32Exception(); }
            catch (Win32Exception) { throw new InputException($"{npm}: not found, cannot fetch {Id}; install node and npm, or {OfflineHint}"); }
            using (p)
            {
                var stderr = p.StandardError.ReadToEndAsync();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    var last = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                    throw new InputException($"{npm} pack {Id} failed (exit {p.ExitCode}: {last}); {OfflineHint}");
                }
            }
            var tgz = Directory.GetFiles(tmp.FullName, "*.tgz").SingleOrDefault()
                      ?? throw new InputException($"{npm} pack {Id} wrote no .tgz; {OfflineHint}");
            return FromTarball(tgz);
        }
        finally { tmp.Delete(recursive: true); }
    }

    /// <summary>Checks the tarball's SHA-512 against the package's published integrity, then installs its model files.</summary>
    public static string FromTarball(string tgz)
    {
        if (!File.Exists(tgz)) throw new InputException(tgz, "package tarball not found");
        string actual;
        using (var s = File.OpenRead(tgz)) actual = "sha512-" + Convert.ToBase64String(SHA512.HashData(s));
        if (actual != Integrity)
            throw new InputException(tgz, $"integrity {actual[..20]}... does not match {Id}'s published {Integrity[..20]}...: corrupt or not this package");
        return Install(tmp =>
        {
            using var file = File.OpenRead(tgz);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            try
            {
                while (tar.GetNextEntry() is { } e)
                {
                    if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                    var name = e.Name.Replace('\\', '/');
                    if (!name.StartsWith("package/model/", StringComparison.Ordinal)) continue;
                    var leaf = name["package/model/".Length..];
                    if (Files.ContainsKey(leaf)) e.ExtractToFile(Path.Combine(tmp, leaf), overwrite: false);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new InputException(tgz, $"not a readable .tgz: {ex.Message}");
            }
        }, tgz);
    }

    /// <summary>Installs the model files from a folder holding face-api's <c>model/</c> files (each checked against its pinned hash).</summary>
    public static string FromFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new InputException(dir, "folder not found");
        return Install(tmp =>
        {
            foreach (var f in Files.Keys)
            {
                var src = Path.Combine(dir, f);
                if (!File.Exists(src)) throw new InputException(dir, $"{f} missing (expected face-api {Version}'s model/ folder)");
                File.Copy(src, Path.Combine(tmp, f));
            }
        }, dir);
    }

    static string Install(Action<string> fill, string source)
    {
        var final = CacheDir();
        var parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".faceapi-{Version}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            Verify(tmp, source);
            var info = new { package = Id, integrity = Integrity, source = Path.GetFullPath(source), files = Files, fetched = DateTime.UtcNow.ToString("o") };
            File.WriteAllText(Path.Combine(tmp, "source.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(final))
            {
                // A complete copy may have appeared meanwhile (another process); a broken one is replaced.
                if (IsCached() && TryVerify(final)) return final;
                Directory.Delete(final, recursive: true);
            }
            try { Directory.Move(tmp, final); }
            catch (IOException) when (IsCached() && TryVerify(final)) { }
            return final;
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>Every pinned file present in <paramref name="dir"/> with its pinned SHA-256, else one line naming the first that is not.</summary>
    public static void Verify(string dir, string what)
    {
        foreach (var (f, sha) in Files)
        {
            var path = Path.Combine(dir, f);
            if (!File.Exists(path)) throw new InputException(what, $"{f} missing: not {Id}'s model folder");
            var actual = Sha256(path);
            if (actual != sha) throw new InputException(what, $"{f} has SHA-256 {actual[..12]}..., {Id} ships {sha[..12]}...: corrupt or tampered");
        }
    }

    static bool TryVerify(string dir)
    {
        try { Verify(dir, dir); return true; }
        catch (InputException) { return false; }
    }

    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}

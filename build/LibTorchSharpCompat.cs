// Makes TorchSharp 0.107's libLibTorchSharp.so loadable where the system libstdc++ predates GCC 13.
//
// The library asks for GLIBCXX_3.4.32 for one symbol, std::ios_base_library_init(), which GCC 13's
// <iostream> references only to pull in the stream initialiser; nothing calls it. Marking that one
// version requirement weak (VER_FLG_WEAK in vna_flags of .gnu.version_r) lets the dynamic loader
// accept an older libstdc++, which already initialises the streams itself.
//
// This file is compiled twice: into FaceBrain.Core (doctor, tests) and, through RoslynCodeTaskFactory,
// into the build task that patches the copy in a project's output. It therefore sticks to
// netstandard2.0 APIs. The NuGet cache's original is never written: patched copies replace the
// output file by rename, which also leaves any hard-linked original untouched.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace FaceBrain.Core.Native
{
    /// <summary>One entry of an ELF file's version-needs table (.gnu.version_r).</summary>
    public sealed class VersionNeed
    {
        public VersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file; Version = version; Flags = flags; FlagsOffset = flagsOffset;
        }
        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        /// <summary>Byte offset of vna_flags in the file.</summary>
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersions.VerFlagWeak) != 0;
    }

    /// <summary>Reads the symbol-versioning tables of little-endian ELF64 files.</summary>
    public static class ElfVersions
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerdef = 0x6ffffffd;
        const uint ShtGnuVerneed = 0x6ffffffe;

        sealed class Section
        {
            public uint Type; public long Offset; public long Size; public uint Link; public uint Info;
        }

        public static List<VersionNeed> ReadNeeds(byte[] elf, string pathForErrors)
        {
            var sections = ReadSections(elf, pathForErrors);
            var result = new List<VersionNeed>();
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                var strtab = sections[(int)s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort count = U16(elf, entry + 2, pathForErrors);
                    string file = CString(elf, strtab.Offset + U32(elf, entry + 4, pathForErrors), pathForErrors);
                    long aux = entry + U32(elf, entry + 8, pathForErrors);
                    for (ushort j = 0; j < count; j++)
                    {
                        ushort flags = U16(elf, aux + 4, pathForErrors);
                        string name = CString(elf, strtab.Offset + U32(elf, aux + 8, pathForErrors), pathForErrors);
                        result.Add(new VersionNeed(file, name, flags, aux + 4));
                        uint nextAux = U32(elf, aux + 12, pathForErrors);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(elf, entry + 12, pathForErrors);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Version names a shared library defines (.gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static HashSet<string> ReadDefinitions(byte[] elf, string pathForErrors)
        {
            var sections = ReadSections(elf, pathForErrors);
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in sections)
            {
                if (s.Type != ShtGnuVerdef) continue;
                var strtab = sections[(int)s.Link];
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort count = U16(elf, entry + 6, pathForErrors);
                    long aux = entry + U32(elf, entry + 12, pathForErrors);
                    if (count > 0)
                        result.Add(CString(elf, strtab.Offset + U32(elf, aux, pathForErrors), pathForErrors));
                    uint next = U32(elf, entry + 16, pathForErrors);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        static List<Section> ReadSections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(path + ": not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(path + ": only little-endian ELF64 files are supported");
            long shoff = (long)U64(elf, 0x28, path);
            ushort shentsize = U16(elf, 0x3A, path);
            ushort shnum = U16(elf, 0x3C, path);
            if (shoff == 0 || shnum == 0 || shentsize < 64)
                throw new InvalidDataException(path + ": ELF file has no section headers");
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                sections.Add(new Section
                {
                    Type = U32(elf, h + 4, path),
                    Offset = (long)U64(elf, h + 24, path),
                    Size = (long)U64(elf, h + 32, path),
                    Link = U32(elf, h + 40, path),
                    Info = U32(elf, h + 44, path),
                });
            }
            foreach (var s in sections)
                if (s.Link >= sections.Count && (s.Type == ShtGnuVerneed || s.Type == ShtGnuVerdef))
                    throw new InvalidDataException(path + ": corrupt version section (bad string table link)");
            return sections;
        }

        static void Check(byte[] b, long at, int n, string path)
        {
            if (at < 0 || at + n > b.Length) throw new InvalidDataException(path + ": truncated ELF file");
        }
        static ushort U16(byte[] b, long at, string p) { Check(b, at, 2, p); return (ushort)(b[at] | b[at + 1] << 8); }
        static uint U32(byte[] b, long at, string p) { Check(b, at, 4, p); return BitConverter.ToUInt32(b, (int)at); }
        static ulong U64(byte[] b, long at, string p) { Check(b, at, 8, p); return BitConverter.ToUInt64(b, (int)at); }
        static string CString(byte[] b, long at, string p)
        {
            Check(b, at, 1, p);
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }
    }

    public enum CompatOutcome
    {
        /// <summary>The library does not ask for the version at all.</summary>
        NotRequired,
        /// <summary>The system libstdc++ provides the version: the file is left as it is.</summary>
        SystemProvides,
        /// <summary>The requirement was already weak (patched earlier).</summary>
        AlreadyWeak,
        /// <summary>The requirement was made weak now.</summary>
        Patched,
    }

    /// <summary>The GLIBCXX_3.4.32 compatibility fix for libLibTorchSharp.so.</summary>
    public static class LibStdCxxCompat
    {
        public const string RequiredVersion = "GLIBCXX_3.4.32";
        public const string LibraryFile = "libLibTorchSharp.so";

        /// <summary>
        /// The libstdc++ the dynamic loader would give a process here: the one this process already
        /// mapped (the .NET runtime links it), else the first found on LD_LIBRARY_PATH and the system
        /// library directories. Null when none is found.
        /// </summary>
        public static string? FindSystemLibStdCxx()
        {
            try
            {
                if (File.Exists("/proc/self/maps"))
                    foreach (var line in File.ReadAllLines("/proc/self/maps"))
                    {
                        int slash = line.IndexOf('/');
                        if (slash < 0) continue;
                        string path = line.Substring(slash).Trim();
                        if (Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal) && File.Exists(path))
                            return path;
                    }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }

            var dirs = new List<string>();
            var ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
            dirs.AddRange(new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/usr/local/lib64", "/usr/lib", "/lib" });
            foreach (var d in dirs)
            {
                var candidate = Path.Combine(d, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        public static bool Provides(string libStdCxxPath, string version) =>
            ElfVersions.ReadDefinitions(File.ReadAllBytes(libStdCxxPath), libStdCxxPath).Contains(version);

        /// <summary>Whether the requirement in this library file is absent or already weak.</summary>
        public static bool IsRequirementRelaxed(string libraryPath)
        {
            var needs = ElfVersions.ReadNeeds(File.ReadAllBytes(libraryPath), libraryPath);
            foreach (var n in needs)
                if (n.Version == RequiredVersion && !n.IsWeak) return false;
            return true;
        }

        /// <summary>
        /// Makes <paramref name="libraryPath"/> loadable against <paramref name="systemLibStdCxx"/>:
        /// a no-op when that libstdc++ defines the version (or the library does not need it), otherwise
        /// the requirement is made weak in a copy that atomically replaces the file.
        /// </summary>
        public static CompatOutcome Ensure(string libraryPath, string? systemLibStdCxx)
        {
            RefuseNuGetCache(libraryPath);
            byte[] elf = File.ReadAllBytes(libraryPath);
            var strict = new List<VersionNeed>();
            bool any = false;
            foreach (var n in ElfVersions.ReadNeeds(elf, libraryPath))
            {
                if (n.Version != RequiredVersion) continue;
                any = true;
                if (!n.IsWeak) strict.Add(n);
            }
            if (!any) return CompatOutcome.NotRequired;
            if (systemLibStdCxx != null && Provides(systemLibStdCxx, RequiredVersion)) return CompatOutcome.SystemProvides;
            if (strict.Count == 0) return CompatOutcome.AlreadyWeak;

            foreach (var n in strict)
            {
                ushort flags = (ushort)(n.Flags | ElfVersions.VerFlagWeak);
                elf[n.FlagsOffset] = (byte)(flags & 0xff);
                elf[n.FlagsOffset + 1] = (byte)(flags >> 8);
            }
            string temp = libraryPath + ".facebrain-tmp";
            File.WriteAllBytes(temp, elf);
            try
            {
                // A rename: atomic, and a hard-linked original keeps its own bytes.
                File.Replace(temp, libraryPath, null);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return CompatOutcome.Patched;
        }

        static void RefuseNuGetCache(string libraryPath)
        {
            string full = Path.GetFullPath(libraryPath);
            var roots = new List<string>();
            var custom = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            if (!string.IsNullOrEmpty(custom)) roots.Add(Path.GetFullPath(custom!));
            var home = Environment.GetEnvironmentVariable("HOME");
            if (!string.IsNullOrEmpty(home)) roots.Add(Path.GetFullPath(Path.Combine(home!, ".nuget", "packages")));
            foreach (var root in roots)
                if (full.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
                    throw new InvalidOperationException(full + ": refusing to modify a file inside the NuGet package cache");
        }
    }

#if !FACEBRAIN_CORE
    /// <summary>MSBuild task: applies <see cref="LibStdCxxCompat.Ensure"/> to each given file.</summary>
    public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public override bool Execute()
        {
            string? libstdcxx = LibStdCxxCompat.FindSystemLibStdCxx();
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    var outcome = LibStdCxxCompat.Ensure(path, libstdcxx);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        "FaceBrain: " + path + ": " + outcome + " (libstdc++: " + (libstdcxx ?? "not found") + ")");
                }
                catch (Exception e)
                {
                    Log.LogError("FaceBrain: cannot make " + path + " loadable: " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

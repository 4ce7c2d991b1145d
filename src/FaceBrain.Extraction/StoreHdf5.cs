using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Store;
using PureHDF;

namespace FaceBrain.Extraction;

/// <summary>
/// Copies a complete activation store into one HDF5 file, for users who prefer it: <c>/layers/&lt;layer&gt;</c> holds
/// each [n_stimuli, n_features] float32 matrix, <c>/stimuli/&lt;column&gt;</c> each stimulus-table column as strings
/// (row order shared), and <c>/manifest</c> the manifest JSON text. Each layer is held in memory while written.
/// </summary>
public static class StoreHdf5
{
    public static void Export(string storeDir, string h5Path)
    {
        var manifest = StoreManifest.Read(ActivationStoreWriter.ManifestPath(storeDir));
        if (!manifest.Complete)
            throw new InputException(storeDir, "store is incomplete (interrupted run?); finish it with `resume` before exporting");
        var stimuli = StimulusTable.Read(ActivationStoreWriter.StimuliPath(storeDir));
        var layers = new H5Group();
        foreach (var layer in manifest.Layers)
        {
            var path = Path.Combine(storeDir, layer.File);
            var m = Npy.ReadAsSingle(path);
            stimuli.RequireRows(m.Shape[0], path);
            layers[layer.Name] = new H5Dataset(m.Data, fileDims: [(ulong)m.Shape[0], (ulong)m.Columns]);
        }
        var table = new H5Group();
        foreach (var column in stimuli.Columns)
            table[column] = new H5Dataset(stimuli.Column(column).ToArray(), fileDims: [(ulong)stimuli.Count]);
        var file = new H5File
        {
            ["layers"] = layers,
            ["stimuli"] = table,
            ["manifest"] = new H5Dataset(manifest.ToJson()),
        };
        var full = Path.GetFullPath(h5Path);
        var dir = Path.GetDirectoryName(full)!;
        OutputTarget.RequireFile(h5Path);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            OutputException.Guard(full, () =>
            {
                file.Write(temp);
                File.Move(temp, full, overwrite: true);
            });
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

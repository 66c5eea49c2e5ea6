using System.Text;
using System.Text.Json;

namespace Shop.Core.Storage;

/// <summary>A small on-disk cache of JSON documents, one file per key.</summary>
public sealed class JsonFileCache
{
    private static readonly byte[] Utf8Bom = Encoding.UTF8.GetPreamble();

    private readonly string _root;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JsonFileCache(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
    }

    public async Task<T?> ReadAsync<T>(string key, CancellationToken ct = default)
    {
        string path = PathFor(key);
        if (!File.Exists(path))
        {
            return default;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            string json = File.ReadAllText(path); // asynclint: ASYNC102 — File.ReadAllTextAsync
            return JsonSerializer.Deserialize<T>(json);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task WriteAsync<T>(string key, T value, CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Utf8Bom, 0, Utf8Bom.Length); // asynclint: silent (ASYNC102) — MemoryStream work never waits for I/O
        await JsonSerializer.SerializeAsync(buffer, value, cancellationToken: ct).ConfigureAwait(false);
        buffer.Position = 0;

        await using FileStream file = File.Create(PathFor(key)); // asynclint: ASYNC301 — a library's `await using` without ConfigureAwait(false)
        await buffer.CopyToAsync(file, ct).ConfigureAwait(false);
    }

    public async Task ImportAsync(string key, Stream source, CancellationToken ct = default)
    {
        await using FileStream target = File.Create(PathFor(key)); // asynclint: ASYNC301 — a library's `await using` without ConfigureAwait(false)
        source.CopyTo(target); // asynclint: ASYNC102 — Stream.CopyToAsync
        await target.FlushAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ReadLinesAsync(string key, CancellationToken ct = default)
    {
        var lines = new List<string>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var reader = new StreamReader(PathFor(key));
            string? line;
            while ((line = reader.ReadLine()) != null) // asynclint: ASYNC102 — StreamReader.ReadLineAsync
            {
                lines.Add(line);
            }
        }
        finally
        {
            _gate.Release();
        }

        return lines;
    }

    public async Task<string> ReadTextAsync(string key)
    {
        // asynclint: silent (ASYNC102) — File.ReadAllText runs in a non-async lambda on the thread pool
        return await Task.Run(() => File.ReadAllText(PathFor(key))).ConfigureAwait(false);
    }

    public string ReadText(string key) => File.ReadAllText(PathFor(key)); // asynclint: silent (ASYNC102) — a synchronous method may block

    public async Task<int> CountAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return Directory.EnumerateFiles(_root, "*.json").Count(); // asynclint: silent (ASYNC102) — LINQ over a file listing, not EF
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> TryEvictAsync(string key)
    {
        if (!_gate.Wait(0)) // asynclint: silent (ASYNC102) — Wait(0) only tests the semaphore, it never blocks
        {
            return false;
        }

        try
        {
            await Task.Run(() => File.Delete(PathFor(key))).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private string PathFor(string key)
    {
        foreach (char c in Path.GetInvalidFileNameChars())
        {
            key = key.Replace(c, '_');
        }

        return Path.Combine(_root, key + ".json");
    }
}

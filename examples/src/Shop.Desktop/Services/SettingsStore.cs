using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Shop.Desktop.Services;

public sealed record AppSettings(Uri ApiBaseUrl, string Theme, List<string> RecentEdits)
{
    public static AppSettings Default => new(new Uri("https://localhost:5001/"), "Light", new List<string>());
}

/// <summary>Per-user settings in %APPDATA%\Shop\settings.json.</summary>
public sealed class SettingsStore
{
    private static readonly string Folder =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "Shop");

    private static readonly string FilePath = Path.Combine(Folder, "settings.json");

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private AppSettings _current = AppSettings.Default;

    public async Task<AppSettings> LoadAsync()
    {
        if (!File.Exists(FilePath))
        {
            return _current = AppSettings.Default;
        }

        await using FileStream stream = File.OpenRead(FilePath);
        _current = await JsonSerializer.DeserializeAsync<AppSettings>(stream, Options) ?? AppSettings.Default;
        return _current;
    }

    public Task ReloadAsync() => LoadAsync();

    public async Task SaveAsync(AppSettings settings)
    {
        Directory.CreateDirectory(Folder);
        string json = JsonSerializer.Serialize(settings, Options);
        await _writeLock.WaitAsync();
        try
        {
            File.WriteAllText(FilePath, json); // asynclint: ASYNC102 — File.WriteAllTextAsync
            _current = settings;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task RememberEditAsync(string sku)
    {
        var recent = new List<string>(_current.RecentEdits);
        recent.Remove(sku);
        recent.Insert(0, sku);
        await SaveAsync(_current with { RecentEdits = recent.GetRange(0, Math.Min(recent.Count, 20)) });
    }

    public async Task TouchAsync()
    {
        _writeLock.Wait(); // asynclint: ASYNC102 — SemaphoreSlim.WaitAsync
        try
        {
            await Task.Run(() => File.SetLastWriteTimeUtc(FilePath, DateTime.UtcNow));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<AppSettings> ResetAsync() // asynclint: ASYNC205 — no await
    {
        _current = AppSettings.Default;
        return _current;
    }

    public static async Task AppendCrashLogAsync(string text)
    {
        Directory.CreateDirectory(Folder);
        await File.AppendAllTextAsync(Path.Combine(Folder, "crash.log"), $"{DateTime.Now:O} {text}{Environment.NewLine}");
    }
}

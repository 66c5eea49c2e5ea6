using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Windows.Input;
using Shop.Core.Catalog;
using Shop.Core.Models;
using Shop.Desktop.Services;

namespace Shop.Desktop.ViewModels;

public sealed class ProductListViewModel : INotifyPropertyChanged
{
    private readonly ICatalogClient _catalog;
    private readonly SettingsStore _settings;
    private readonly List<ProductRow> _all = new();
    private Task<IReadOnlyList<Product>>? _prefetch;
    private CancellationTokenSource? _searchCts;
    private bool _isBusy;
    private string _status = "";

    public ProductListViewModel(ICatalogClient catalog, SettingsStore settings)
    {
        _catalog = catalog;
        _settings = settings;
        RefreshCommand = new AsyncRelayCommand(LoadAsync);
        SaveCommand = new AsyncRelayCommand(SaveDirtyAsync);
        _prefetch = _catalog.GetProductsAsync(); // asynclint: silent (ASYNC203) — the task is stored and awaited later
    }

    public event PropertyChangedEventHandler? PropertyChanged;

    public event Action<Product>? ProductSaved;

    public event Action<Exception>? LoadFailed;

    public ObservableCollection<ProductRow> Products { get; } = new();

    public ICatalogClient Catalog => _catalog;

    public ICommand RefreshCommand { get; }

    public ICommand SaveCommand { get; }

    public bool IsBusy
    {
        get => _isBusy;
        private set => Set(ref _isBusy, value);
    }

    public string Status
    {
        get => _status;
        private set => Set(ref _status, value);
    }

    public async Task LoadAsync()
    {
        IsBusy = true;
        try
        {
            var prefetch = _prefetch;
            _prefetch = null;
            IReadOnlyList<Product> products = prefetch is not null && prefetch.Status == TaskStatus.RanToCompletion
                ? prefetch.Result // asynclint: silent (ASYNC101) — guarded by Status == RanToCompletion
                : await _catalog.GetProductsAsync();

            _all.Clear();
            _all.AddRange(products.Where(p => !p.IsDiscontinued).Select(p => new ProductRow(p)));
            Show(_all);
        }
        catch (HttpRequestException ex)
        {
            LoadFailed?.Invoke(ex);
        }
        finally
        {
            IsBusy = false;
        }
    }

    public async void Reload() // asynclint: ASYNC201 — async void on a view model: nothing can await it or see its exception
    {
        await LoadAsync();
        Status = $"{Products.Count} products";
    }

    public async Task FilterAsync(string term)
    {
        if (string.IsNullOrWhiteSpace(term))
        {
            Show(_all);
            return;
        }

        if (_searchCts is not null)
        {
            _searchCts.CancelAsync(); // asynclint: ASYNC203 — CancellationTokenSource.CancelAsync returns a Task (.NET 8)
        }

        _searchCts = new CancellationTokenSource();
        Task<IReadOnlyList<Product>> search = _catalog.SearchAsync(new SearchQuery(term), _searchCts.Token);
        if (await Task.WhenAny(search, Task.Delay(2000)) != search)
        {
            Status = "The search timed out.";
            return;
        }

        IReadOnlyList<Product> hits = await search;
        var skus = hits.Select(h => h.Sku).ToHashSet();
        Show(_all.Where(r => skus.Contains(r.Sku)).ToList()); // asynclint: silent (ASYNC102) — LINQ-to-objects on a List<T>
    }

    /// <summary>Used by the UI tests to wait for the first load.</summary>
    public void WaitForPrefetch() => _prefetch?.Wait(); // asynclint: ASYNC101 — a Task waited on through `?.`

    public async Task RefreshAllAsync()
    {
        IsBusy = true;
        Task.WhenAll(LoadAsync(), _settings.ReloadAsync()); // asynclint: ASYNC203 — Task.WhenAll without await
        await _settings.TouchAsync();
        IsBusy = false;
    }

    private async Task SaveDirtyAsync()
    {
        foreach (ProductRow row in _all.Where(r => r.IsDirty).ToList())
        {
            row.Model.Price = row.Price;
            row.Model.Stock = row.Stock;
            await _settings.RememberEditAsync(row.Sku);
            ProductSaved?.Invoke(row.Model);
        }
    }

    public async Task<int> CountDirtyAsync() => _all.Count(r => r.IsDirty); // asynclint: ASYNC205 — no await

    private void Show(IEnumerable<ProductRow> rows)
    {
        Products.Clear();
        foreach (var row in rows)
        {
            Products.Add(row);
        }
    }

    private void Set<T>(ref T field, T value, [CallerMemberName] string? name = null)
    {
        if (!EqualityComparer<T>.Default.Equals(field, value))
        {
            field = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
        }
    }
}

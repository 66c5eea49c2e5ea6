using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using System.Windows;
using System.Windows.Controls;
using Shop.Core.Models;
using Shop.Desktop.ViewModels;

namespace Shop.Desktop;

/// <summary>The product grid. Notifications live in MainWindow.Notifications.cs.</summary>
public partial class MainWindow : Window
{
    private readonly ProductListViewModel _viewModel;
    private readonly BackgroundWorker _exportWorker = new();

    public MainWindow(ProductListViewModel viewModel)
    {
        InitializeComponent();
        _viewModel = viewModel;
        DataContext = viewModel;

        Loaded += OnLoaded;
        _viewModel.ProductSaved += OnProductSaved;
        _viewModel.LoadFailed += OnLoadFailed;
        _exportWorker.DoWork += ExportWorker_DoWork;
        _exportWorker.RunWorkerCompleted += (_, e) => StatusText.Text = e.Error?.Message ?? "Exported.";
    }

    private async void OnLoaded(object sender, RoutedEventArgs e) // asynclint: silent (ASYNC201) — an event handler
    {
        await _viewModel.LoadAsync();
    }

    private void RefreshButton_Click(object sender, RoutedEventArgs e)
    {
        _viewModel.LoadAsync().Wait(); // asynclint: ASYNC101 — error in a UI project: the dispatcher deadlocks
    }

    private void StockButton_Click(object sender, RoutedEventArgs e)
    {
        if (ProductGrid.SelectedItem is not ProductRow row)
        {
            return;
        }

        int stock = _viewModel.Catalog.GetStockAsync(row.Sku).Result; // asynclint: ASYNC101 — error in a UI project
        MessageBox.Show(this, $"{stock} in stock", row.Name);
    }

    private void ExportButton_Click(object sender, RoutedEventArgs e)
    {
        if (!_exportWorker.IsBusy)
        {
            _exportWorker.RunWorkerAsync(_viewModel.Products.ToList()); // asynclint: silent (ASYNC203) — BackgroundWorker.RunWorkerAsync returns void
        }
    }

    private void ExportWorker_DoWork(object? sender, DoWorkEventArgs e)
    {
        var rows = (List<ProductRow>)e.Argument!;
        string path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.MyDocuments), "products.csv");
        File.WriteAllLines(path, rows.Select(r => $"{r.Sku};{r.Name};{r.Price}")); // asynclint: silent (ASYNC102) — a worker thread, not an async method
    }

    private async void SearchBox_TextChanged(object sender, TextChangedEventArgs e) // asynclint: silent (ASYNC201) — an event handler
    {
        string term = SearchBox.Text;
        await Task.Delay(300);
        if (term == SearchBox.Text)
        {
            await _viewModel.FilterAsync(term);
        }
    }
}

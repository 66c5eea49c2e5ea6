using System;
using System.Net.Http;
using System.Windows;
using Shop.Core.Catalog;
using Shop.Desktop.Services;
using Shop.Desktop.ViewModels;

namespace Shop.Desktop;

public partial class App : Application
{
    private static readonly HttpClient Http = new();

    protected override async void OnStartup(StartupEventArgs e) // asynclint: silent (ASYNC201) — an override keeps its void signature
    {
        base.OnStartup(e);

        var store = new SettingsStore();
        AppSettings settings = await store.LoadAsync();
        Http.BaseAddress = settings.ApiBaseUrl;

        var viewModel = new ProductListViewModel(new CatalogClient(Http), store);
        MainWindow = new MainWindow(viewModel);
        MainWindow.Show();
    }

    private async void OnUnhandledDispatcherException(object sender, System.Windows.Threading.DispatcherUnhandledExceptionEventArgs e) // asynclint: silent (ASYNC201) — an event handler
    {
        e.Handled = true;
        await SettingsStore.AppendCrashLogAsync(e.Exception.ToString());
        MessageBox.Show(e.Exception.Message, "Unexpected error", MessageBoxButton.OK, MessageBoxImage.Error);
    }
}

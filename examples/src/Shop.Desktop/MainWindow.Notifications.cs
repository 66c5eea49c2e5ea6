using System;
using System.Threading.Tasks;
using System.Windows;
using Shop.Core.Models;

namespace Shop.Desktop;

// The other half of MainWindow: status-bar notifications raised by the view model. The
// handlers are subscribed in MainWindow.xaml.cs, so the `+=` is in another file.
public partial class MainWindow
{
    private static readonly TimeSpan NotificationTime = TimeSpan.FromSeconds(3);

    private async void OnProductSaved(Product product) // asynclint: silent (ASYNC201) — subscribed with += (in MainWindow.xaml.cs)
    {
        StatusText.Text = $"Saved {product.Name}";
        await Task.Delay(NotificationTime);
        StatusText.Text = "";
    }

    private async void OnLoadFailed(Exception error) // asynclint: silent (ASYNC201) — subscribed with += (in MainWindow.xaml.cs)
    {
        StatusText.Text = $"Could not load the catalog: {error.Message}";
        await Task.Delay(NotificationTime * 2);
        if (MessageBox.Show(this, "Retry?", "Catalog", MessageBoxButton.YesNo) == MessageBoxResult.Yes)
        {
            await _viewModel.LoadAsync();
        }
    }
}

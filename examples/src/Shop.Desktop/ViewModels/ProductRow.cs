using System.ComponentModel;
using System.Runtime.CompilerServices;
using Shop.Core.Models;

namespace Shop.Desktop.ViewModels;

/// <summary>One editable grid row.</summary>
public sealed class ProductRow : INotifyPropertyChanged
{
    private decimal _price;
    private int _stock;

    public ProductRow(Product product)
    {
        Model = product;
        _price = product.Price;
        _stock = product.Stock;
    }

    public event PropertyChangedEventHandler? PropertyChanged;

    public Product Model { get; }

    public string Sku => Model.Sku;

    public string Name => Model.Name;

    public decimal Price
    {
        get => _price;
        set => Set(ref _price, value);
    }

    public int Stock
    {
        get => _stock;
        set => Set(ref _stock, value);
    }

    public bool IsDirty => _price != Model.Price || _stock != Model.Stock;

    private void Set<T>(ref T field, T value, [CallerMemberName] string? name = null)
    {
        if (Equals(field, value))
        {
            return;
        }

        field = value;
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
        PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(nameof(IsDirty)));
    }
}

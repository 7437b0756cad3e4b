using Shop.Models;

namespace Shop.Services;

/// <summary>Customers in memory, by id.</summary>
public sealed class CustomerRepo
{
    private readonly Dictionary<int, Customer> _byId = new();

    public void Add(Customer customer) => _byId[customer.Id] = customer;

    public Customer? Find(int id) => _byId.GetValueOrDefault(id);

    public IEnumerable<Customer> InCity(string city) => _byId.Values.Where(c => c.City == city).OrderBy(c => c.Name);
}

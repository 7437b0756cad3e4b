namespace Shop.Services;

/// <summary>Greets customers found through a <see cref="CustomerRepo"/>.</summary>
public sealed class Greeter(CustomerRepo repo)
{
    public string Greet(int id) => repo.Find(id) is { } c ? $"Hello, {c.Name} from {c.City}!" : $"No customer {id}.";
}

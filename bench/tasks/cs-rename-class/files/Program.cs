using Shop.Models;
using Shop.Services;

namespace Shop;

internal static class Program
{
    private static void Main()
    {
        var repo = new CustomerRepo();
        repo.Add(new Customer(1, "Ada", "London"));
        repo.Add(new Customer(2, "Grace", "New York"));
        repo.Add(new Customer(3, "Alan", "London"));
        var greeter = new Greeter(repo);
        Console.WriteLine(greeter.Greet(2));
        Console.WriteLine(greeter.Greet(9));
        Console.WriteLine(string.Join(", ", repo.InCity("London").Select(c => c.Name)));
    }
}

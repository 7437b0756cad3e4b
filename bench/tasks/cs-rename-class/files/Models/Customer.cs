namespace Shop.Models;

/// <summary>A customer as the shop stores it.</summary>
public sealed record Customer(int Id, string Name, string City);

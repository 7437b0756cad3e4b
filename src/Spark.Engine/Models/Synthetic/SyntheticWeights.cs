using Spark.Engine.Tensors;

namespace Spark.Engine.Models.Synthetic;

/// <summary>
/// Draws a planned tensor's values and encodes them in its type. Every row has its own random stream (seed, tensor
/// name, row), so rows can be generated in parallel and the bytes never depend on scheduling.
/// </summary>
internal static class SyntheticWeights
{
    /// <summary>Generates and encodes the whole tensor.</summary>
    public static byte[] Generate(SyntheticTensor tensor, ulong seed)
    {
        long rows = tensor.Rows;
        int rowLength = checked((int)tensor.RowLength);
        int rowBytes = checked((int)GgmlTypeInfo.RowBytes(tensor.Type, rowLength));
        var data = new byte[checked(rowBytes * rows)];
        if (tensor.Values is { } values)
        {
            TensorQuantizer.Row(tensor.Type, values, data);
            return data;
        }
        // chunks of rows so small tensors stay on one thread and big ones spread over every core
        long rowsPerChunk = Math.Max(1, (1 << 16) / rowLength);
        long chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        try
        {
            Parallel.For(0L, chunks, () => new float[rowLength], (chunk, _, buffer) =>
            {
                long end = Math.Min(rows, (chunk + 1) * rowsPerChunk);
                for (long r = chunk * rowsPerChunk; r < end; r++)
                {
                    var random = SyntheticRandom.For(seed, tensor.Name, r);
                    random.FillNormal(buffer, tensor.Mean, tensor.Std);
                    TensorQuantizer.Row(tensor.Type, buffer, data.AsSpan(checked((int)(r * rowBytes)), rowBytes));
                }
                return buffer;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return data;
    }
}

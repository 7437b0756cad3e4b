using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spark.Engine.Kernels;

/// <summary>Attention scores: q·k for every head of a group over one block of 16 keys.</summary>
internal static partial class Attention
{
    /// <summary>
    /// scores[g·16 + t] = scale · q_g·k_t for the 16 keys of a block and every head of the group. Up to four heads at a
    /// time share each loaded key row; each head sums dimensions d mod 4 in four chains (sixteen independent FMA chains).
    /// </summary>
    private static void ScoresVector(ReadOnlySpan<float> queries, int groups, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        for (int g0 = 0; g0 < groups; g0 += 4)
        {
            switch (groups - g0)
            {
                case 1: Scores4<One>(queries, g0, dk, kT, scale, scores); break;
                case 2: Scores4<Two>(queries, g0, dk, kT, scale, scores); break;
                case 3: Scores4<Three>(queries, g0, dk, kT, scale, scores); break;
                default: Scores4<Four>(queries, g0, dk, kT, scale, scores); break;
            }
        }
    }

    /// <summary>Scores of heads g0 … g0 + THeads − 1 (up to four) for one key block: four key rows per step, one chain per row.</summary>
    private static void Scores4<THeads>(ReadOnlySpan<float> queries, int g0, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
        where THeads : struct, IHeadCount
    {
        ref float k = ref MemoryMarshal.GetReference(kT);
        ref float q = ref MemoryMarshal.GetReference(queries);
        ref float sr = ref MemoryMarshal.GetReference(scores);
        int heads = THeads.Count;
        int g1 = g0 + Math.Min(1, heads - 1), g2 = g0 + Math.Min(2, heads - 1), g3 = g0 + Math.Min(3, heads - 1);
        ref float q0 = ref Unsafe.Add(ref q, g0 * dk);
        ref float q1 = ref Unsafe.Add(ref q, g1 * dk);
        ref float q2 = ref Unsafe.Add(ref q, g2 * dk);
        ref float q3 = ref Unsafe.Add(ref q, g3 * dk);
        Vector512<float> a0 = default, b0 = default, c0 = default, e0 = default, a1 = default, b1 = default, c1 = default, e1 = default;
        Vector512<float> a2 = default, b2 = default, c2 = default, e2 = default, a3 = default, b3 = default, c3 = default, e3 = default;
        int d = 0;
        for (; d + 4 <= dk; d += 4)
        {
            ref float row = ref Unsafe.Add(ref k, d * Block);
            var k0 = Vector512.LoadUnsafe(ref row);
            var k1 = Vector512.LoadUnsafe(ref row, Block);
            var k2 = Vector512.LoadUnsafe(ref row, 2 * Block);
            var k3 = Vector512.LoadUnsafe(ref row, 3 * Block);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d)), k0, a0);
            b0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 1)), k1, b0);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 2)), k2, c0);
            e0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d + 3)), k3, e0);
            if (THeads.Count > 1)
            {
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d)), k0, a1);
                b1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 1)), k1, b1);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 2)), k2, c1);
                e1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d + 3)), k3, e1);
            }
            if (THeads.Count > 2)
            {
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d)), k0, a2);
                b2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 1)), k1, b2);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 2)), k2, c2);
                e2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d + 3)), k3, e2);
            }
            if (THeads.Count > 3)
            {
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d)), k0, a3);
                b3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 1)), k1, b3);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 2)), k2, c3);
                e3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d + 3)), k3, e3);
            }
        }
        for (; d < dk; d++)
        {
            var last = Vector512.LoadUnsafe(ref k, (nuint)(d * Block));
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q0, d)), last, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q1, d)), last, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q2, d)), last, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref q3, d)), last, a3);
        }
        var vscale = Vector512.Create(scale);
        (((a0 + b0) + (c0 + e0)) * vscale).StoreUnsafe(ref sr, (nuint)(g0 * Block));
        if (THeads.Count > 1) (((a1 + b1) + (c1 + e1)) * vscale).StoreUnsafe(ref sr, (nuint)(g1 * Block));
        if (THeads.Count > 2) (((a2 + b2) + (c2 + e2)) * vscale).StoreUnsafe(ref sr, (nuint)(g2 * Block));
        if (THeads.Count > 3) (((a3 + b3) + (c3 + e3)) * vscale).StoreUnsafe(ref sr, (nuint)(g3 * Block));
    }

    /// <summary>The scalar twin of <see cref="ScoresVector"/> (same order of operations, so the same result).</summary>
    private static void ScoresScalar(ReadOnlySpan<float> queries, int groups, int dk, ReadOnlySpan<float> kT, float scale, Span<float> scores)
    {
        for (int g = 0; g < groups; g++)
        {
            var q = queries.Slice(g * dk, dk);
            for (int t = 0; t < Block; t++)
            {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int d = 0;
                for (; d + 4 <= dk; d += 4)
                {
                    s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
                    s1 = MathF.FusedMultiplyAdd(q[d + 1], kT[(d + 1) * Block + t], s1);
                    s2 = MathF.FusedMultiplyAdd(q[d + 2], kT[(d + 2) * Block + t], s2);
                    s3 = MathF.FusedMultiplyAdd(q[d + 3], kT[(d + 3) * Block + t], s3);
                }
                for (; d < dk; d++) s0 = MathF.FusedMultiplyAdd(q[d], kT[d * Block + t], s0);
                scores[g * Block + t] = ((s0 + s1) + (s2 + s3)) * scale;
            }
        }
    }
}

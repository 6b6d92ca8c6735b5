import CPavlovKernels

/// Calls the C kernels (Sources/CPavlovKernels) over Swift arrays.
///
/// Glibc's scalar `expf`/`tanhf` cost ~20 ns an element and took 57% of an MLP training step;
/// the kernels run the Cephes polynomials 16 lanes at a time on AVX-512 (8 on AVX2), with the
/// same bits on every machine.
enum Kernels {
  typealias Unary = (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
  typealias Binary = (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void
  /// (a, aStep, b, bStep, out, n): see pv_add.
  typealias Arithmetic = (UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, UnsafeMutablePointer<Float>?, Int) -> Void

  /// Elements per part below which splitting over the cores costs more than it saves.
  static let parallelGrain = 1 << 15

  /// a·b element by element, as a `Binary` kernel.
  static let multiply: Binary = { a, b, out, n in pv_mul(a, 1, b, 1, out, n) }

  static func map(_ input: [Float], _ kernel: Unary) -> [Float] {
    [Float](unsafeUninitializedCapacity: input.count) { out, initialized in
      input.withUnsafeBufferPointer { src in
        guard let source = src.baseAddress, let target = out.baseAddress else { return }
        Parallel.forEachPart(input.count, minimumPerPart: parallelGrain) { _, range in
          kernel(source + range.lowerBound, target + range.lowerBound, range.count)
        }
      }
      initialized = input.count
    }
  }

  /// `kernel(a, b)` element by element; `a` and `b` must have the same count.
  static func map(_ a: [Float], _ b: [Float], _ kernel: Binary) -> [Float] {
    let count = Swift.min(a.count, b.count)
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          guard let first = pa.baseAddress, let second = pb.baseAddress, let target = out.baseAddress else { return }
          Parallel.forEachPart(count, minimumPerPart: parallelGrain) { _, range in
            kernel(first + range.lowerBound, second + range.lowerBound, target + range.lowerBound, range.count)
          }
        }
      }
      initialized = count
    }
  }
}

extension Array where Element == Float {
  /// An array of `count` floats whose contents are unspecified, for buffers a kernel (sgemm with
  /// beta 0, a copy) fully overwrites: zero-filling them first cost ~4% of a GPT training step.
  static func uninitialized(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
  }
}

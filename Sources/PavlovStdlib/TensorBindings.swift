import PavlovLang
import PavlovTensor

/// A `Tensor` as a Pavlov value: printing, operators, indexing and `len`.
public final class TensorValue: PObject {
  public let tensor: Tensor

  /// The one `tensor` native type (its methods do not depend on the interpreter).
  nonisolated(unsafe) public static let nativeType: NativeType = TensorBindings.makeType()

  public init(_ tensor: Tensor) {
    self.tensor = tensor
    super.init(type: TensorValue.nativeType)
  }

  public static func wrap(_ t: Tensor) -> Value { .object(TensorValue(t)) }

  public override var displayString: String {
    var out = "tensor("
    TensorBindings.writeElements(tensor, to: &out)
    if tensor.requiresGrad { out += ", requires_grad=true" }
    return out + ")"
  }

  public override var length: Int? { tensor.rank == 0 ? nil : tensor.shape[0] }

  public override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws(PavlovError) -> Value? {
    let a = tensor
    switch op {
    case .add, .subtract, .multiply, .divide:
      guard let b = TensorBindings.operand(other) else { return nil }
      let (l, r) = selfOnLeft ? (a, b) : (b, a)
      return try TensorBindings.run {
        switch op {
        case .add: return try l + r
        case .subtract: return try l - r
        case .multiply: return try l * r
        default: return try l / r
        }
      }
    case .matmul:
      guard case .object(let o) = other, let b = (o as? TensorValue)?.tensor else { return nil }
      let (l, r) = selfOnLeft ? (a, b) : (b, a)
      return try TensorBindings.run { try l.matmul(r) }
    case .power:
      guard selfOnLeft else { return nil }
      switch other {
      case .int(let n): return TensorValue.wrap(a.pow(Float(n)))
      case .float(let d): return TensorValue.wrap(a.pow(Float(d)))
      default:
        throw PavlovError.runtime("tensor ** \(other.typeName): the exponent must be a number", hint: "t ** 2 or t.pow(0.5)")
      }
    default:
      return nil
    }
  }

  public override func negate() throws(PavlovError) -> Value? { TensorValue.wrap(-tensor) }

  public override func getIndex(_ index: Value) throws(PavlovError) -> Value? {
    guard tensor.rank > 0 else {
      throw PavlovError.runtime("cannot index a scalar tensor", hint: "use t.item() to read its value")
    }
    guard case .int(let i) = index else {
      throw PavlovError.runtime("tensor index must be an int, got \(index.typeName)")
    }
    let n = tensor.shape[0]
    let j = i < 0 ? i + n : i
    guard j >= 0 && j < n else {
      throw PavlovError.runtime("index \(i) out of range for tensor of length \(n) (shape \(Shape.describe(tensor.shape)))",
                                hint: n == 0 ? "the tensor is empty" : "valid indices are 0 to \(n - 1) (or -\(n) to -1 from the end)")
    }
    if tensor.rank == 1 { return TensorBindings.float(tensor.data[j]) }
    return TensorValue.wrap(try TensorBindings.run { try TensorBindings.row(tensor, j) })
  }

  public override func makeIterator() -> (() throws -> Value?)? {
    guard tensor.rank > 0 else { return nil }
    var i = 0
    let n = tensor.shape[0]
    return { [self] in
      guard i < n else { return nil }
      defer { i += 1 }
      return try self.getIndex(.int(i))
    }
  }
}

/// Builtins that make tensors (`tensor`, `zeros`, `ones`, `param`, `no_grad`) and the
/// methods and properties of the `tensor` type. `rand`/`randn` live in Random.swift.
enum TensorBindings {
  static func register(_ r: Registry) {
    r.addType(TensorValue.nativeType)

    r.function("tensor", [Param("xs", doc: "a number, a list of numbers, or nested lists of numbers (rectangular)")],
               doc: "A new tensor of float32 values: tensor([[1, 2], [3, 4]]) has shape [2, 2].") { args in
      TensorValue.wrap(try fromValue(args[0], name: "tensor"))
    }

    r.function("zeros", [Param("shape", kind: .variadic, doc: "the sizes of the axes, e.g. zeros(2, 3) (or one list)")],
               doc: "A tensor of zeros of the given shape.") { args in
      TensorValue.wrap(Tensor.zeros(try shape(args[0], name: "zeros")))
    }

    r.function("ones", [Param("shape", kind: .variadic, doc: "the sizes of the axes, e.g. ones(2, 3) (or one list)")],
               doc: "A tensor of ones of the given shape.") { args in
      TensorValue.wrap(Tensor.ones(try shape(args[0], name: "ones")))
    }

    r.function("param", [Param("t", doc: "a tensor (or a number or nested list) holding the initial values")],
               doc: "A trainable copy of `t`: it requires a gradient, so backward() fills its .grad.") { args in
      let t = try fromValue(args[0], name: "param")
      return TensorValue.wrap(t.detached().requiringGrad())
    }

    r.function("no_grad", [Param("f", doc: "a function taking no arguments")],
               doc: "Calls f() with autograd off (no graph is recorded) and returns its result.") { args in
      let f = try args.callable(0)
      return try Autograd.noGrad { () throws -> Value in try args.call(f, []) }
    }
  }

  // MARK: - The tensor type

  static func makeType() -> NativeType {
    let t = NativeType(name: "tensor", doc: "An n-dimensional array of float32 values with automatic differentiation.")

    t.property("shape", doc: "The sizes of the axes, as a list of ints.") { v in
      .list(try tensor(v).shape.map { .int($0) })
    }
    t.property("T", doc: "The transpose of a matrix.") { v in
      TensorValue.wrap(try run { try tensor(v).transposed() })
    }
    t.property("grad", doc: "The gradient accumulated by backward() (nil before any).") { v in
      try tensor(v).grad.map { TensorValue.wrap($0) } ?? .null
    }
    t.property("requires_grad", doc: "Whether backward() computes a gradient for this tensor (assignable).", get: { v in
      .bool(try tensor(v).requiresGrad)
    }, set: { v, new in
      guard case .bool(let b) = new else { throw PavlovError.runtime("requires_grad must be true or false, got \(new.typeName)") }
      try tensor(v).requiresGrad = b
    })
    t.property("ndim", doc: "The number of axes (the rank).") { v in .int(try tensor(v).rank) }
    t.property("size", doc: "The total number of elements.") { v in .int(try tensor(v).count) }

    t.method("item", doc: "The value of a one-element tensor, as a float.") { args in
      float(try run { try tensor(args.receiver).item() })
    }
    t.method("tolist", doc: "The values as nested lists of floats (a float for a scalar tensor).") { args in
      let x = try tensor(args.receiver)
      var position = 0
      return toList(x, axis: 0, position: &position)
    }

    let axisParam = Param("axis", default: .null, doc: "the axis to reduce (negative counts from the end); nil reduces everything")
    let keepParam = Param("keepdim", default: .bool(false), doc: "keep the reduced axis with size 1")
    t.method("sum", [axisParam, keepParam], doc: "The sum of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1)
      return TensorValue.wrap(try run { try tensor(args.receiver).sum(axis: axis, keepdim: keep) })
    }
    t.method("mean", [axisParam, keepParam], doc: "The mean of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1)
      return TensorValue.wrap(try run { try tensor(args.receiver).mean(axis: axis, keepdim: keep) })
    }

    let unary: [(String, String, (Tensor) -> Tensor)] = [
      ("exp", "e raised to each element.", { $0.exp() }),
      ("log", "The natural logarithm of each element.", { $0.log() }),
      ("tanh", "The hyperbolic tangent of each element.", { $0.tanh() }),
      ("sigmoid", "The logistic function 1 / (1 + exp(-x)) of each element.", { $0.sigmoid() }),
      ("relu", "max(x, 0) for each element.", { $0.relu() }),
      ("sqrt", "The square root of each element.", { $0.sqrt() }),
      ("abs", "The absolute value of each element.", { $0.abs() }),
    ]
    for (name, doc, f) in unary {
      t.method(name, doc: doc) { args in TensorValue.wrap(f(try tensor(args.receiver))) }
    }

    t.method("pow", [Param("p", doc: "the exponent, a number")], doc: "Each element raised to the power p (same as t ** p).") { args in
      TensorValue.wrap(try tensor(args.receiver).pow(Float(try args.float(0))))
    }
    t.method("reshape", [Param("shape", kind: .variadic, doc: "the new sizes (one may be -1: inferred), e.g. t.reshape(3, -1)")],
             doc: "The same elements in a new shape.") { args in
      let target = try shape(args[0], name: "reshape", allowInferred: true)
      return TensorValue.wrap(try run { try tensor(args.receiver).reshaped(target) })
    }
    t.method("backward", [Param("grad", default: .null, doc: "the gradient of some scalar with respect to this tensor; nil for a scalar tensor")],
             doc: "Computes gradients of this (scalar) tensor and adds them into the .grad of every param it depends on.") { args in
      let seed = args.isNull(0) ? nil : try fromValue(args[0], name: "backward")
      try run { try tensor(args.receiver).backward(seed: seed) }
      return .null
    }
    t.method("zero_grad", doc: "Clears the accumulated gradient (.grad becomes nil).") { args in
      try tensor(args.receiver).zeroGrad()
      return .null
    }
    t.method("detach", doc: "A copy of the values cut off from autograd (no gradient flows back through it).") { args in
      TensorValue.wrap(try tensor(args.receiver).detached())
    }
    return t
  }

  // MARK: - Helpers

  static func tensor(_ v: Value) throws(PavlovError) -> Tensor {
    if case .object(let o) = v, let t = o as? TensorValue { return t.tensor }
    throw PavlovError.runtime("expected a tensor, got \(v.typeName)")
  }

  /// A number or a tensor as an operand of tensor arithmetic; nil for anything else.
  static func operand(_ v: Value) -> Tensor? {
    switch v {
    case .int(let i): return Tensor(scalar: Float(i))
    case .float(let d): return Tensor(scalar: Float(d))
    case .object(let o): return (o as? TensorValue)?.tensor
    default: return nil
    }
  }

  /// Runs a tensor operation, turning a TensorError into a Pavlov runtime error.
  static func run(_ body: () throws -> Tensor) throws(PavlovError) -> Value {
    TensorValue.wrap(try run(body) as Tensor)
  }

  static func run<T>(_ body: () throws -> T) throws(PavlovError) -> T {
    do {
      return try body()
    } catch let e as TensorError {
      throw PavlovError.runtime(e.message, hint: e.hint)
    } catch let e as PavlovError {
      throw e
    } catch {
      throw PavlovError.runtime("\(error)")
    }
  }

  /// A float32 as a Pavlov float, by its shortest digits (so 0.1 prints as 0.1, not 0.10000000149011612).
  static func float(_ f: Float) -> Value {
    guard f.isFinite else { return .float(Double(f)) }
    return .float(Double(f.description) ?? Double(f))
  }

  /// Row `i` of a tensor of rank >= 2, as a tensor of rank - 1 (gradients flow back to it).
  static func row(_ t: Tensor, _ i: Int) throws -> Tensor { try t.select(i) }

  /// Shape arguments: ints given one by one (`zeros(2, 3)`) or one list (`zeros([2, 3])`).
  static func shape(_ v: Value, name: String, allowInferred: Bool = false) throws(PavlovError) -> [Int] {
    guard case .list(let given) = v else { throw PavlovError.runtime("\(name): expected sizes") }
    var items = given.items
    if items.count == 1, case .list(let inner) = items[0] { items = inner.items }
    var out: [Int] = []
    for item in items {
      guard case .int(let n) = item else {
        throw PavlovError.runtime("\(name): sizes must be ints, got \(item.typeName) (\(Format.repr(item, limit: 40)))")
      }
      guard n >= 0 || (allowInferred && n == -1) else {
        throw PavlovError.runtime("\(name): a size cannot be negative (got \(n))")
      }
      out.append(n)
    }
    guard out.count <= 32 else { throw PavlovError.runtime("\(name): too many axes (\(out.count))") }
    var total = 1
    for n in out where n > 0 {
      let (p, overflow) = total.multipliedReportingOverflow(by: n)
      guard !overflow, p <= 1 << 31 else { throw PavlovError.runtime("\(name): shape \(Shape.describe(out)) is too large") }
      total = p
    }
    return out
  }

  /// A tensor from a number, a tensor, or (nested) lists of numbers.
  static func fromValue(_ v: Value, name: String) throws(PavlovError) -> Tensor {
    switch v {
    case .int(let i): return Tensor(scalar: Float(i))
    case .float(let d): return Tensor(scalar: Float(d))
    case .bool(let b): return Tensor(scalar: b ? 1 : 0)
    case .object(let o):
      if let t = o as? TensorValue { return t.tensor.detached() }
    case .list: break
    default: break
    }
    guard case .list = v else {
      throw PavlovError.runtime("\(name): expected a number or a list of numbers, got \(v.typeName)")
    }
    // The shape comes from the first element at each depth; every other element must match.
    var shape: [Int] = []
    var probe = v
    while case .list(let l) = probe {
      shape.append(l.items.count)
      guard let first = l.items.first else { break }
      probe = first
    }
    var data: [Float] = []
    data.reserveCapacity(Shape.count(shape))
    try flatten(v, depth: 0, shape: shape, path: "", into: &data, name: name)
    return Tensor(shape: shape, data: data)
  }

  private static func flatten(_ v: Value, depth: Int, shape: [Int], path: String, into data: inout [Float], name: String) throws(PavlovError) {
    let here = path.isEmpty ? "xs" : "xs\(path)"
    if depth == shape.count {
      switch v {
      case .int(let i): data.append(Float(i))
      case .float(let d): data.append(Float(d))
      case .bool(let b): data.append(b ? 1 : 0)
      case .list(let l):
        throw PavlovError.runtime("\(name): ragged nested list: \(here) is a list of length \(l.items.count), expected a number",
                                  hint: "every row must have the same length")
      default:
        throw PavlovError.runtime("\(name): \(here) must be a number, got \(v.typeName) (\(Format.repr(v, limit: 40)))")
      }
      return
    }
    guard case .list(let l) = v else {
      throw PavlovError.runtime("\(name): ragged nested list: \(here) is \(v.typeName == "int" ? "an" : "a") \(v.typeName), expected a list of length \(shape[depth])",
                                hint: "every row must have the same length")
    }
    guard l.items.count == shape[depth] else {
      throw PavlovError.runtime("\(name): ragged nested list: \(here) has length \(l.items.count), expected \(shape[depth])",
                                hint: "every row must have the same length")
    }
    for (i, item) in l.items.enumerated() {
      try flatten(item, depth: depth + 1, shape: shape, path: path + "[\(i)]", into: &data, name: name)
    }
  }

  static func toList(_ t: Tensor, axis: Int, position: inout Int) -> Value {
    if axis == t.rank {
      defer { position += 1 }
      return float(t.data[position])
    }
    var items: [Value] = []
    items.reserveCapacity(t.shape[axis])
    for _ in 0..<t.shape[axis] { items.append(toList(t, axis: axis + 1, position: &position)) }
    return .list(items)
  }

  // MARK: - Printing

  /// How many values per axis print before the middle is elided with `...`.
  static let edgeItems = 3
  static let maxPerAxis = 6

  static func writeElements(_ t: Tensor, to out: inout String) {
    if t.rank == 0 {
      out += element(t.data[0])
      return
    }
    let strides = Shape.strides(t.shape)
    write(t, axis: 0, offset: 0, strides: strides, to: &out)
  }

  private static func write(_ t: Tensor, axis: Int, offset: Int, strides: [Int], to out: inout String) {
    let n = t.shape[axis]
    out += "["
    var indices: [Int?] = []
    if n > maxPerAxis {
      indices = (0..<edgeItems).map { $0 } + [nil] + ((n - edgeItems)..<n).map { $0 }
    } else {
      indices = (0..<n).map { $0 }
    }
    for (k, index) in indices.enumerated() {
      if k > 0 { out += ", " }
      guard let i = index else { out += "..."; continue }
      if axis == t.rank - 1 {
        out += element(t.data[offset + i * strides[axis]])
      } else {
        write(t, axis: axis + 1, offset: offset + i * strides[axis], strides: strides, to: &out)
      }
    }
    out += "]"
  }

  /// PyTorch's style for one value: whole numbers as `2.`, others by their shortest digits.
  static func element(_ f: Float) -> String {
    if f.isNaN { return "nan" }
    if f.isInfinite { return f < 0 ? "-inf" : "inf" }
    if f == f.rounded() && Swift.abs(f) < 1e8 {
      let whole = Int(f)
      return (whole == 0 && f.sign == .minus ? "-0" : String(whole)) + "."
    }
    return f.description
  }
}

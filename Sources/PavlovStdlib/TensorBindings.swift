import PavlovLang
import PavlovTensor

/// Builtins that make and combine tensors, and the methods and properties of the `tensor`
/// type. `rand`/`randn`/`randint` with sizes live in Random.swift.
enum TensorBindings {
  static let dtypeParam = Param("dtype", default: .null, kind: .keywordOnly, doc: "\"float32\", \"int64\" or \"bool\"; nil: inferred")

  static func register(_ r: Registry) {
    r.addType(TensorValue.nativeType)

    r.function("tensor", [Param("xs", doc: "a number, a list of numbers, or nested lists of numbers (rectangular)"),
                          Param("dtype", default: .null, doc: "\"float32\", \"int64\" or \"bool\"; nil: int64 for ints, bool for bools, else float32")],
               doc: "A new tensor: tensor([[1.0, 2], [3, 4]]) has shape [2, 2]; tensor([1, 2]) holds int64 (as in PyTorch).") { args in
      TensorValue.wrap(try fromValue(args[0], name: "tensor", dtype: try dtype(args, 1)))
    }

    r.function("zeros", [Param("shape", kind: .variadic, doc: "the sizes of the axes, e.g. zeros(2, 3) (or one list)"), dtypeParam],
               doc: "A tensor of zeros of the given shape (float32 unless dtype says otherwise).") { args in
      TensorValue.wrap(Tensor.zeros(try shape(args[0], name: "zeros")).converted(to: try dtype(args, 1) ?? .float32))
    }

    r.function("ones", [Param("shape", kind: .variadic, doc: "the sizes of the axes, e.g. ones(2, 3) (or one list)"), dtypeParam],
               doc: "A tensor of ones of the given shape (float32 unless dtype says otherwise).") { args in
      TensorValue.wrap(Tensor.ones(try shape(args[0], name: "ones")).converted(to: try dtype(args, 1) ?? .float32))
    }

    r.function("full", [Param("shape", doc: "the sizes of the axes, as a list"), Param("value", doc: "the value of every element")],
               doc: "A tensor of the given shape filled with one value.") { args in
      let fill = try fromValue(args[1], name: "full")
      let sizes = try shape(.list(PList([args[0]])), name: "full")
      return TensorValue.wrap(Tensor.converting(shape: sizes, [Float](repeating: fill.data.first ?? 0, count: Shape.count(sizes)), to: fill.dtype))
    }

    r.function("arange", [Param("a", doc: "the end (excluded) if alone, else the start"), Param("b", default: .null, doc: "the end (excluded)"),
                          Param("step", default: .int(1), doc: "the distance between values", range: .finite)],
               doc: "arange(n) is tensor([0, 1, ..., n-1]) (int64); arange(a, b, step) counts from a up to b (excluded); float bounds give float32.") { args in
      let bounds = args.isNull(1) ? [Value.int(0), args[0], args[2]] : [args[0], args[1], args[2]]
      if case .int(let a) = bounds[0], case .int(let b) = bounds[1], case .int(let step) = bounds[2] {
        return try CoreBridge.run { try Tensor.arange(a, b, step: step) }
      }
      let a = try number(bounds[0], "arange"), b = try number(bounds[1], "arange"), step = try number(bounds[2], "arange")
      guard step != 0, step.isFinite, a.isFinite, b.isFinite else { throw PavlovError.runtime("arange: the step must be a nonzero finite number") }
      let n = try CoreBridge.run { try AllocationLimit.count(((b - a) / step).rounded(.up), "arange") }
      return TensorValue.wrap(Tensor(shape: [n], data: (0..<n).map { Float(a + Double($0) * step) }))
    }

    r.function("eye", [Param("n", doc: "the number of rows and columns")], doc: "The n×n identity matrix.") { args in
      let n = try args.int(0)
      guard n >= 0 else { throw PavlovError.runtime("eye: n cannot be negative, got \(n)") }
      return try CoreBridge.run { TensorValue.wrap(try Tensor.eye(n)) }
    }

    r.function("param", [Param("t", doc: "a tensor (or a number or nested list) holding the initial values")],
               doc: "A trainable float32 copy of `t`: it requires a gradient, so backward() fills its .grad.") { args in
      let t = try fromValue(args[0], name: "param", dtype: .float32)
      return TensorValue.wrap(t.detached().requiringGrad())
    }

    r.function("no_grad", [Param("f", doc: "a function taking no arguments")],
               doc: "Calls f() with autograd off (no graph is recorded) and returns its result.") { args in
      let f = try args.callable(0)
      return try Autograd.noGrad { () throws -> Value in try args.call(f, []) }
    }

    r.function("where", [Param("condition", doc: "a mask (bool tensor, or any tensor: nonzero is true)"),
                         Param("a", doc: "values where the condition holds (tensor or number)"),
                         Param("b", doc: "values elsewhere (tensor or number)")],
               doc: "Element-wise choice: a where condition, else b (all three broadcast); gradients flow to the chosen side.") { args in
      let c = try fromValue(args[0], name: "where")
      let a = try operandOrTensor(args[1], "where"), b = try operandOrTensor(args[2], "where")
      return try CoreBridge.run { try Tensor.where(c, a, b) }
    }

    r.function("cat", [Param("tensors", doc: "a list of tensors"), Param("axis", default: .int(0), doc: "the axis to join along", range: .finite)],
               doc: "Joins tensors along an existing axis (sizes must match on the others).") { args in
      let ts = try tensorList(args, 0, "cat")
      let axis = try args.int(1)
      return try CoreBridge.run { try Tensor.cat(ts, axis: axis) }
    }

    r.function("stack", [Param("tensors", doc: "a list of tensors of one shape"), Param("axis", default: .int(0), doc: "where the new axis goes", range: .finite)],
               doc: "Stacks tensors of one shape along a new axis.") { args in
      let ts = try tensorList(args, 0, "stack")
      let axis = try args.int(1)
      return try CoreBridge.run { try Tensor.stack(ts, axis: axis) }
    }

    r.function("one_hot", [Param("index", doc: "an int64 tensor (or list) of class indices"), Param("classes", doc: "the number of classes")],
               doc: "One-hot rows: shape index.shape + [classes], int64 (as in PyTorch; multiply or use .float() for float math).") { args in
      let index = try fromValue(args[0], name: "one_hot")
      let classes = try args.int(1)
      return try CoreBridge.run { try Tensor.oneHot(index, classes: classes) }
    }

    r.function("maximum", [Param("a", doc: "a tensor or number"), Param("b", doc: "a tensor or number")],
               doc: "The element-wise larger of a and b (broadcast).") { args in
      let a = try operandOrTensor(args[0], "maximum"), b = try operandOrTensor(args[1], "maximum")
      return try CoreBridge.run { try Tensor.maximum(a, b) }
    }
    r.function("minimum", [Param("a", doc: "a tensor or number"), Param("b", doc: "a tensor or number")],
               doc: "The element-wise smaller of a and b (broadcast).") { args in
      let a = try operandOrTensor(args[0], "minimum"), b = try operandOrTensor(args[1], "minimum")
      return try CoreBridge.run { try Tensor.minimum(a, b) }
    }
    r.function("logical_and", [Param("a", doc: "a mask"), Param("b", doc: "a mask")], doc: "Element-wise and of two masks (bool tensor).") { args in
      let a = try operandOrTensor(args[0], "logical_and"), b = try operandOrTensor(args[1], "logical_and")
      return try CoreBridge.run { try a.logicalAnd(b) }
    }
    r.function("logical_or", [Param("a", doc: "a mask"), Param("b", doc: "a mask")], doc: "Element-wise or of two masks (bool tensor).") { args in
      let a = try operandOrTensor(args[0], "logical_or"), b = try operandOrTensor(args[1], "logical_or")
      return try CoreBridge.run { try a.logicalOr(b) }
    }
    r.function("logical_not", [Param("a", doc: "a mask")], doc: "Element-wise not of a mask (bool tensor).") { args in
      TensorValue.wrap(try operandOrTensor(args[0], "logical_not").logicalNot())
    }
  }

  // MARK: - The tensor type

  static func makeType() -> NativeType {
    let t = NativeType(name: "tensor", doc: "An n-dimensional array (float32, int64 or bool) with automatic differentiation.")

    t.property("shape", doc: "The sizes of the axes, as a list of ints.") { v in
      .list(try tensor(v).shape.map { .int($0) })
    }
    t.property("dtype", doc: "The element type: \"float32\", \"int64\" or \"bool\".") { v in .str(try tensor(v).dtype.rawValue) }
    t.property("T", doc: "The transpose (of the last two axes).") { v in
      TensorValue.wrap(try CoreBridge.run { try tensor(v).transposed() })
    }
    t.property("grad", doc: "The gradient accumulated by backward() (nil before any).") { v in
      try tensor(v).grad.map { TensorValue.wrap($0) } ?? .null
    }
    t.property("is_param", doc: "Whether backward() computes a gradient for this tensor (set by param(...) or .requires_grad()).") { v in
      .bool(try tensor(v).requiresGrad)
    }
    t.property("ndim", doc: "The number of axes (the rank).") { v in .int(try tensor(v).rank) }
    t.property("size", doc: "The total number of elements.") { v in .int(try tensor(v).count) }

    t.method("requires_grad", [Param("on", default: .bool(true), doc: "true to track gradients, false to stop")],
             doc: "Marks this float tensor as a parameter (backward() fills its .grad) and returns it.") { args in
      let x = try tensor(args.receiver)
      guard !x.isInteger else { throw PavlovError.runtime("only float tensors can require gradients (this one is \(x.dtype.rawValue))", hint: "convert first: t.float().requires_grad()") }
      x.requiresGrad = try args.bool(0)
      return args.receiver
    }
    t.method("item", doc: "The value of a one-element tensor, as a Pavlov number (int for int64, bool for bool).") { args in
      let x = try tensor(args.receiver)
      guard x.count == 1, case .object(let o) = args.receiver, let v = o.scalarValue else {
        throw PavlovError.runtime("item(): the tensor has \(x.count) elements, not 1", hint: "shape \(Shape.describe(x.shape)); index or reduce it first")
      }
      return v
    }
    t.method("tolist", doc: "The values as nested lists of numbers (a number for a scalar tensor).") { args in
      let x = try tensor(args.receiver)
      var position = 0
      return toList(x, axis: 0, position: &position)
    }

    let axisParam = Param("axis", default: .null, doc: "the axis to reduce (negative counts from the end); nil reduces everything")
    let keepParam = Param("keepdim", default: .bool(false), doc: "keep the reduced axis with size 1")
    t.method("sum", [axisParam, keepParam], doc: "The sum of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1)
      return try CoreBridge.run { try tensor(args.receiver).sum(axis: axis, keepdim: keep) }
    }
    t.method("mean", [axisParam, keepParam], doc: "The mean of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1)
      return try CoreBridge.run { try tensor(args.receiver).mean(axis: axis, keepdim: keep) }
    }
    let correctionParam = Param("correction", default: .int(1), doc: "subtracted from the count (1: unbiased, as PyTorch; 0: as NumPy)", range: .nonNegative)
    t.method("var", [axisParam, keepParam, correctionParam], doc: "The variance of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1), correction = try args.int(2)
      return try CoreBridge.run { try tensor(args.receiver).variance(axis: axis, keepdim: keep, correction: correction) }
    }
    t.method("std", [axisParam, keepParam, correctionParam], doc: "The standard deviation of all elements, or along `axis`.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      let keep = try args.bool(1), correction = try args.int(2)
      return try CoreBridge.run { try tensor(args.receiver).standardDeviation(axis: axis, keepdim: keep, correction: correction) }
    }
    for (name, largest) in [("max", true), ("min", false)] {
      t.method(name, [axisParam, keepParam], doc: "The \(largest ? "largest" : "smallest") element, or the \(largest ? "largest" : "smallest") values along `axis` (use arg\(name) for positions).") { args in
        let x = try tensor(args.receiver)
        let keep = try args.bool(1)
        guard !args.isNull(0) else {
          guard x.count > 0 else { throw PavlovError.runtime("\(name)() of an empty tensor") }
          return try CoreBridge.run { largest ? try x.maxAll() : try x.minAll() }
        }
        let axis = try args.int(0)
        return try CoreBridge.run { largest ? try x.max(axis: axis, keepdim: keep).values : try x.min(axis: axis, keepdim: keep).values }
      }
      t.method("arg\(name)", [axisParam, keepParam], doc: "The position of the \(largest ? "largest" : "smallest") element (flattened), or positions along `axis` (int64).") { args in
        let x = try tensor(args.receiver)
        let keep = try args.bool(1)
        let source = args.isNull(0) ? try CoreBridge.run { try x.flattened() } : x
        let axis = args.isNull(0) ? 0 : try args.int(0)
        return try CoreBridge.run { () throws -> Tensor in
          let (values, positions) = largest ? try source.max(axis: axis, keepdim: keep) : try source.min(axis: axis, keepdim: keep)
          return Tensor(shape: values.shape, ints: positions.map { Int64($0) })
        }
      }
    }
    let softAxis = Param("axis", default: .int(-1), doc: "the axis (default: the last)", range: .finite)
    t.method("softmax", [softAxis], doc: "exp(x) / sum(exp(x)) along `axis`, computed stably.") { args in
      let axis = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).softmax(axis: axis) }
    }
    t.method("log_softmax", [softAxis], doc: "x - logsumexp(x) along `axis`: log-probabilities from logits.") { args in
      let axis = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).logSoftmax(axis: axis) }
    }
    t.method("logsumexp", [softAxis, keepParam], doc: "log(sum(exp(x))) along `axis`, computed stably.") { args in
      let axis = try args.int(0), keep = try args.bool(1)
      return try CoreBridge.run { try tensor(args.receiver).logsumexp(axis: axis, keepdim: keep) }
    }
    t.method("cumsum", [softAxis], doc: "Running sums along `axis`.") { args in
      let axis = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).cumsum(axis: axis) }
    }

    let unary: [(String, String, (Tensor) -> Tensor)] = [
      ("exp", "e raised to each element.", { $0.exp() }),
      ("log", "The natural logarithm of each element.", { $0.log() }),
      ("tanh", "The hyperbolic tangent of each element.", { $0.tanh() }),
      ("sigmoid", "The logistic function 1 / (1 + exp(-x)) of each element.", { $0.sigmoid() }),
      ("relu", "max(x, 0) for each element.", { $0.relu() }),
      ("gelu", "GELU, x·Φ(x) with the exact normal CDF (PyTorch's default), of each element.", { $0.gelu() }),
      ("sqrt", "The square root of each element.", { $0.sqrt() }),
      ("abs", "The absolute value of each element.", { $0.abs() }),
      ("sign", "-1, 0 or 1 for each element (no gradient).", { $0.sign() }),
      ("float", "A float32 copy (gradients flow through).", { $0.converted(to: .float32) }),
      ("bool", "A bool copy (nonzero is true).", { $0.converted(to: .bool) }),
    ]
    for (name, doc, f) in unary {
      t.method(name, doc: doc) { args in TensorValue.wrap(f(try tensor(args.receiver))) }
    }
    t.method("long", doc: "An int64 copy (values truncated toward zero); NaN, infinities and values beyond int64 are an error.") { args in
      TensorValue.wrap(try CoreBridge.run("long") { try tensor(args.receiver).truncatedToInt64() })
    }
    t.method("any", doc: "Whether any element is nonzero (true).") { args in .bool(try tensor(args.receiver).anyTrue) }
    t.method("all", doc: "Whether every element is nonzero (true).") { args in .bool(try tensor(args.receiver).allTrue) }

    t.method("pow", [Param("p", doc: "the exponent, a number")], doc: "Each element raised to the power p (same as t ** p).") { args in
      TensorValue.wrap(try tensor(args.receiver).pow(Float(try args.float(0))))
    }
    t.method("clip", [Param("min", default: .null, doc: "the lower bound (nil: none)"), Param("max", default: .null, doc: "the upper bound (nil: none)")],
             doc: "Each element limited to [min, max]; the gradient passes where the value was inside.") { args in
      let low = args.isNull(0) ? nil : Float(try args.float(0))
      let high = args.isNull(1) ? nil : Float(try args.float(1))
      return TensorValue.wrap(try tensor(args.receiver).clipped(min: low, max: high))
    }
    for name in ["reshape", "view"] {
      t.method(name, [Param("shape", kind: .variadic, doc: "the new sizes (one may be -1: inferred), e.g. t.reshape(3, -1)")],
               doc: "The same elements in a new shape (no copy until one of them is written).") { args in
        let target = try shape(args[0], name: name, allowInferred: true)
        return try CoreBridge.run { try tensor(args.receiver).reshaped(target) }
      }
    }
    t.method("transpose", [Param("a", default: .int(-2), doc: "an axis", range: .finite), Param("b", default: .int(-1), doc: "another axis", range: .finite)],
             doc: "Axes a and b swapped (the last two by default).") { args in
      let a = try args.int(0), b = try args.int(1)
      return try CoreBridge.run { try tensor(args.receiver).transposed(a, b) }
    }
    t.method("permute", [Param("axes", kind: .variadic, doc: "the new order of the axes, e.g. t.permute(0, 2, 1)")],
             doc: "The axes in a new order.") { args in
      let order = try shape(args[0], name: "permute", allowNegative: true)
      return try CoreBridge.run { try tensor(args.receiver).permuted(order) }
    }
    t.method("unsqueeze", [Param("axis", doc: "where the new size-1 axis goes")], doc: "A size-1 axis inserted at `axis`.") { args in
      let axis = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).unsqueezed(axis) }
    }
    t.method("squeeze", [Param("axis", default: .null, doc: "the size-1 axis to remove; nil removes all")], doc: "Size-1 axes removed.") { args in
      let axis = args.isNull(0) ? nil : try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).squeezed(axis) }
    }
    t.method("flatten", [Param("start", default: .int(0), doc: "the first axis to merge", range: .finite), Param("end", default: .int(-1), doc: "the last axis to merge", range: .finite)],
             doc: "Axes start..end merged into one (all, by default).") { args in
      let a = try args.int(0), b = try args.int(1)
      return try CoreBridge.run { try tensor(args.receiver).flattened(start: a, end: b) }
    }
    t.method("gather", [Param("axis", doc: "the axis to pick along"), Param("index", doc: "an int64 tensor of positions, of the same rank")],
             doc: "out[i][j] = t[i][index[i][j]] along `axis` (PyTorch's gather), e.g. logp.gather(1, actions.unsqueeze(1)).") { args in
      let axis = try args.int(0)
      let index = try fromValue(args[1], name: "gather")
      return try CoreBridge.run { try tensor(args.receiver).gather(axis: axis, index: index) }
    }
    t.method("split", [Param("size", doc: "the size of each piece (an int), or a list of sizes"), Param("axis", default: .int(0), doc: "the axis to cut", range: .finite)],
             doc: "Consecutive pieces along `axis`, as a list of tensors.") { args in
      let x = try tensor(args.receiver)
      let axis = try args.int(1)
      let pieces: [Tensor]
      if case .list = args[0] {
        let sizes = try shape(.list(PList([args[0]])), name: "split")
        pieces = try CoreBridge.run { try x.split(sizes: sizes, axis: axis) }
      } else {
        let size = try args.int(0)
        pieces = try CoreBridge.run { try x.split(size: size, axis: axis) }
      }
      return .list(pieces.map { TensorValue.wrap($0) })
    }
    t.method("tril", [Param("k", default: .int(0), doc: "the diagonal: 0 main, 1 above, -1 below", range: .finite)],
             doc: "The lower triangle of the last two axes; zeros above it.") { args in
      let k = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).tril(k) }
    }
    t.method("triu", [Param("k", default: .int(0), doc: "the diagonal: 0 main, 1 above, -1 below", range: .finite)],
             doc: "The upper triangle of the last two axes; zeros below it.") { args in
      let k = try args.int(0)
      return try CoreBridge.run { try tensor(args.receiver).triu(k) }
    }
    t.method("backward", [Param("grad", default: .null, doc: "the gradient of some scalar with respect to this tensor; nil for a scalar tensor")],
             doc: "Computes gradients of this (scalar) tensor and adds them into the .grad of every param it depends on.") { args in
      let seed = args.isNull(0) ? nil : try fromValue(args[0], name: "backward", dtype: .float32)
      try CoreBridge.run { try tensor(args.receiver).backward(seed: seed) }
      return .null
    }
    t.method("zero_grad", doc: "Clears the accumulated gradient (.grad becomes nil).") { args in
      try tensor(args.receiver).zeroGrad()
      return .null
    }
    t.method("detach", doc: "A copy of the values cut off from autograd (no gradient flows back through it).") { args in
      TensorValue.wrap(try tensor(args.receiver).detached())
    }
    t.method("clone", doc: "A copy of the values (gradients flow through it, like PyTorch's clone).") { args in
      let x = try tensor(args.receiver)
      return try CoreBridge.run { try x.reshaped(x.shape) }
    }
    return t
  }

  // MARK: - Helpers

  static func tensor(_ v: Value) throws(PavlovError) -> Tensor {
    if case .object(let o) = v, let t = o as? TensorValue { return t.tensor }
    throw PavlovError.runtime("expected a tensor, got \(v.typeName)")
  }

  /// A number or a tensor as an operand of tensor arithmetic; nil for anything else.
  /// A number or a tensor as an operand of tensor arithmetic with `other` (a Pavlov int
  /// stays int64 beside an integer tensor, as in PyTorch); nil for anything else.
  static func operand(_ v: Value, like other: Tensor? = nil) -> Tensor? {
    switch v {
    case .int(let i):
      if let other, other.isInteger { return Tensor(shape: [], ints: [Int64(i)]) }
      return Tensor(scalar: Float(i))
    case .float(let d): return Tensor(scalar: Float(d))
    case .bool(let b): return Tensor(shape: [], ints: [b ? 1 : 0], dtype: .bool)
    case .object(let o): return (o as? TensorValue)?.tensor
    default: return nil
    }
  }

  /// A tensor argument that may also be a number or a list (converted).
  static func operandOrTensor(_ v: Value, _ name: String) throws(PavlovError) -> Tensor {
    if let t = operand(v) { return t }
    return try fromValue(v, name: name)
  }

  static func tensorList(_ args: Args, _ i: Int, _ name: String) throws(PavlovError) -> [Tensor] {
    let list = try args.list(i)
    var out: [Tensor] = []
    for (k, item) in list.items.enumerated() {
      guard case .object(let o) = item, let t = o as? TensorValue else {
        throw PavlovError.runtime("\(name): item \(k) of the list is \(item.typeName), not a tensor", hint: "convert with tensor(...)")
      }
      out.append(t.tensor)
    }
    return out
  }

  static func dtype(_ args: Args, _ i: Int) throws(PavlovError) -> DType? {
    if args.isNull(i) { return nil }
    let name = try args.string(i)
    guard let d = DType(rawValue: name) else {
      throw PavlovError.runtime("unknown dtype \(Format.quoted(name))", hint: "use \"float32\", \"int64\" or \"bool\"")
    }
    return d
  }

  static func number(_ v: Value, _ name: String) throws(PavlovError) -> Double {
    switch v.scalarOrSelf {
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: throw PavlovError.runtime("\(name): expected a number, got \(v.typeName)")
    }
  }

  /// Index components from Pavlov values: ints, slices, index tensors or lists, masks.
  static func components(_ indices: [Value], of t: Tensor) throws(PavlovError) -> [IndexComponent] {
    var out: [IndexComponent] = []
    for index in indices {
      switch index {
      case .int(let i): out.append(.position(i))
      case .bool(let b): out.append(.tensor(Tensor(shape: [], ints: [b ? 1 : 0], dtype: .bool)))
      case .null: out.append(.all)
      case .range(let r):
        out.append(.tensor(Tensor(shape: [r.count], ints: (0..<Swift.min(r.count, 1 << 31)).map { Int64(r.element($0)) })))
      case .list: out.append(.tensor(try fromValue(index, name: "index")))
      case .object(let o):
        if let s = o as? SliceValue {
          func bound(_ v: Value, _ what: String) throws(PavlovError) -> Int? {
            switch v.scalarOrSelf {
            case .null: return nil
            case .int(let i): return i
            default: throw PavlovError.runtime("slice \(what) must be an int or nil, got \(v.typeName)")
            }
          }
          out.append(.slice(try bound(s.start, "start"), try bound(s.end, "end"), try bound(s.step, "step")))
        } else if let x = o as? TensorValue {
          if x.tensor.dtype == .float32 {
            throw PavlovError.runtime("a float tensor cannot be an index", hint: "indices must be ints or bools; convert with .long()")
          }
          out.append(.tensor(x.tensor))
        } else {
          throw PavlovError.runtime("a tensor index must be an int, slice, list or tensor, got \(index.typeName)")
        }
      default:
        throw PavlovError.runtime("a tensor index must be an int, slice, list or tensor, got \(index.typeName)")
      }
    }
    return out
  }

  /// A float32 as a Pavlov float, by its shortest digits (so 0.1 prints as 0.1, not 0.10000000149011612).
  static func float(_ f: Float) -> Value {
    guard f.isFinite else { return .float(Double(f)) }
    return .float(Double(f.description) ?? Double(f))
  }

  /// Shape arguments: ints given one by one (`zeros(2, 3)`) or one list (`zeros([2, 3])`).
  /// `isTensorShape: false` for lists of sizes that are not one tensor's (an mlp's layer widths):
  /// their product is not an allocation.
  static func shape(_ v: Value, name: String, allowInferred: Bool = false, allowNegative: Bool = false,
                    isTensorShape: Bool = true) throws(PavlovError) -> [Int] {
    guard case .list(let given) = v else { throw PavlovError.runtime("\(name): expected sizes") }
    var items = given.items
    if items.count == 1, case .list(let inner) = items[0] { items = inner.items }
    var out: [Int] = []
    for item in items {
      guard case .int(let n) = item.scalarOrSelf else {
        throw PavlovError.runtime("\(name): sizes must be ints, got \(item.typeName) (\(Format.repr(item, limit: 40)))")
      }
      guard n >= 0 || (allowInferred && n == -1) || allowNegative else {
        throw PavlovError.runtime("\(name): a size cannot be negative (got \(n))")
      }
      out.append(n)
    }
    guard out.count <= 32 else { throw PavlovError.runtime("\(name): too many axes (\(out.count))") }
    if isTensorShape && !allowInferred && !allowNegative { try CoreBridge.run { () throws -> Void in try AllocationLimit.elements(out, name) } }
    return out
  }

  /// A tensor from a number, a tensor, or (nested) lists of numbers. The dtype follows
  /// PyTorch: all ints → int64, all bools → bool, any float → float32 (unless `dtype` is given).
  static func fromValue(_ v: Value, name: String, dtype: DType? = nil) throws(PavlovError) -> Tensor {
    if case .object(let o) = v, let t = o as? TensorValue {
      return dtype.map { t.tensor.detached().converted(to: $0) } ?? t.tensor.detached()
    }
    switch v {
    case .int, .float, .bool, .list: break
    default:
      throw PavlovError.runtime("\(name): expected a number or a list of numbers, got \(v.typeName)")
    }
    // The shape comes from the first element at each depth; every other element must match.
    var shape: [Int] = []
    var probe = v
    while case .list(let l) = probe {
      // A list that contains itself would be probed forever; a tensor has at most 32 axes.
      guard shape.count < 32 else {
        throw PavlovError.runtime("\(name): the list is nested more than 32 deep", hint: "a tensor has at most 32 axes; does the list contain itself?")
      }
      shape.append(l.items.count)
      guard let first = l.items.first else { break }
      probe = first
    }
    var values = Elements()
    values.floats.reserveCapacity(try CoreBridge.run { try AllocationLimit.elements(shape, name) })
    try flatten(v, depth: 0, shape: shape, path: "", into: &values, name: name)
    let inferred: DType = values.sawFloat || values.floats.isEmpty ? .float32 : (values.sawNumber ? .int64 : .bool)
    let target = dtype ?? inferred
    if target == .float32 { return Tensor(shape: shape, data: values.floats) }
    if inferred == .float32 { return Tensor.converting(shape: shape, values.floats, to: target) }
    return Tensor(shape: shape, ints: values.ints, dtype: target)
  }

  struct Elements {
    var floats: [Float] = []
    var ints: [Int64] = []
    var sawFloat = false
    var sawNumber = false
  }

  private static func flatten(_ v: Value, depth: Int, shape: [Int], path: String, into out: inout Elements, name: String) throws(PavlovError) {
    let here = path.isEmpty ? "xs" : "xs\(path)"
    if depth == shape.count {
      switch v.scalarOrSelf {
      case .int(let i):
        out.floats.append(Float(i))
        out.ints.append(Int64(i))
        out.sawNumber = true
      case .float(let d):
        out.floats.append(Float(d))
        out.ints.append(0)
        out.sawFloat = true
      case .bool(let b):
        out.floats.append(b ? 1 : 0)
        out.ints.append(b ? 1 : 0)
      case .list(let l):
        throw PavlovError.runtime("\(name): ragged nested list: \(here) is a list of length \(l.items.count), expected a number",
                                  hint: "every row must have the same length")
      default:
        throw PavlovError.runtime("\(name): \(here) must be a number, got \(v.typeName) (\(Format.repr(v, limit: 40)))",
                                  hint: v.typeName == "tensor" ? "join tensors with stack(...) or cat(...)" : nil)
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
      try flatten(item, depth: depth + 1, shape: shape, path: path + "[\(i)]", into: &out, name: name)
    }
  }

  static func toList(_ t: Tensor, axis: Int, position: inout Int) -> Value {
    if axis == t.rank {
      defer { position += 1 }
      switch t.dtype {
      case .float32: return float(t.data[position])
      case .int64: return .int(Int(t.ints[position]))
      case .bool: return .bool(t.ints[position] != 0)
      }
    }
    var items: [Value] = []
    items.reserveCapacity(t.shape[axis])
    for _ in 0..<t.shape[axis] { items.append(toList(t, axis: axis + 1, position: &position)) }
    return .list(items)
  }
}

extension CoreBridge {
  /// Runs a tensor operation through the bridge and wraps the tensor it returns.
  static func run(_ body: () throws -> Tensor) throws(PavlovError) -> Value {
    TensorValue.wrap(try run(nil, body) as Tensor)
  }
}

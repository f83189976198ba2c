/** The syntax tree of an expression. `position` is the offset of the node's first token. */
export type Node =
  | { readonly type: 'nil'; readonly position: number }
  | { readonly type: 'bool'; readonly value: boolean; readonly position: number }
  | { readonly type: 'int'; readonly value: bigint; readonly position: number }
  | { readonly type: 'float'; readonly value: number; readonly position: number }
  | { readonly type: 'string'; readonly value: string; readonly position: number }
  | { readonly type: 'identifier'; readonly name: string; readonly position: number }
  /** `#`, `#index`, `#acc` or a bare `.field` inside a predicate; `name` is '' for the element itself. */
  | { readonly type: 'pointer'; readonly name: string; readonly position: number }
  | { readonly type: 'unary'; readonly operator: string; readonly operand: Node; readonly position: number }
  | { readonly type: 'binary'; readonly operator: string; readonly left: Node; readonly right: Node; readonly position: number }
  | { readonly type: 'member'; readonly object: Node; readonly property: Node; readonly optional: boolean; readonly position: number }
  /** Bounds an optional chain: a nil met by `?.` inside makes the whole chain nil. */
  | { readonly type: 'chain'; readonly node: Node; readonly position: number }
  | { readonly type: 'slice'; readonly object: Node; readonly from?: Node; readonly to?: Node; readonly position: number }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Node[]; readonly position: number }
  | { readonly type: 'methodCall'; readonly object: Node; readonly name: string; readonly args: readonly Node[]; readonly position: number }
  | { readonly type: 'predicate'; readonly body: Node; readonly position: number }
  | { readonly type: 'array'; readonly items: readonly Node[]; readonly position: number }
  | { readonly type: 'map'; readonly pairs: readonly (readonly [Node, Node])[]; readonly position: number }
  | { readonly type: 'conditional'; readonly condition: Node; readonly then: Node; readonly otherwise: Node; readonly position: number }
  | { readonly type: 'let'; readonly name: string; readonly value: Node; readonly body: Node; readonly position: number }
  | { readonly type: 'sequence'; readonly nodes: readonly Node[]; readonly position: number };

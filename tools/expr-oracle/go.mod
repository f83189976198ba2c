module twerk.dev/expr-oracle

go 1.18

require github.com/expr-lang/expr v1.17.7

replace github.com/expr-lang/expr => /work/oracle/expr

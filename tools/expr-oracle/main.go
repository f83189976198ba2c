// The expression oracle: evaluates conformance cases with the real expr-lang library, the way Tork
// does (internal/eval), so the TypeScript evaluator can be checked against it. Reads a JSON array of
// cases on stdin and writes one result per case as a JSON array on stdout.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/parser"
)

type testCase struct {
	Expression *string         `json:"expression"`
	Template   *string         `json:"template"`
	Env        json.RawMessage `json:"env"`
}

type result struct {
	Kind  string `json:"kind,omitempty"`
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
	Msg   string `json:"message,omitempty"`
}

var templatePattern = regexp.MustCompile(`{{\s*(.+?)\s*}}`)

// Tork's context maps are map[string]string; anything else is plain JSON data, with whole numbers as
// Go ints (the way values built by expressions, such as sequence items, arrive) and others as float64.
func environment(raw json.RawMessage) (map[string]any, error) {
	env := map[string]any{
		"inputs":  map[string]string{},
		"secrets": map[string]string{},
		"tasks":   map[string]string{},
		"job":     map[string]string{},
	}
	if len(raw) > 0 {
		decoder := json.NewDecoder(bytes.NewReader(raw))
		decoder.UseNumber()
		var top map[string]any
		if err := decoder.Decode(&top); err != nil {
			return nil, err
		}
		for key, value := range top {
			switch key {
			case "inputs", "secrets", "tasks", "job":
				strings := map[string]string{}
				for k, v := range value.(map[string]any) {
					strings[k] = fmt.Sprint(v)
				}
				env[key] = strings
			default:
				env[key] = numbers(value)
			}
		}
	}
	env["randomInt"] = randomInt
	env["sequence"] = sequence
	return env, nil
}

func numbers(value any) any {
	switch v := value.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && !strings.ContainsAny(string(v), ".eE") {
			return int(i)
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = numbers(v[i])
		}
		return v
	case map[string]any:
		for k := range v {
			v[k] = numbers(v[k])
		}
		return v
	}
	return value
}

// Tork's functions, equivalent to runabol/tork internal/eval/funcs.go (checked against HEAD 4e9e184):
// registered in the env map, as Tork's EvaluateExpr does, not through expr.Function.
func randomInt(args ...any) (int, error) {
	switch len(args) {
	case 0:
		return rand.Int(), nil
	case 1:
		if args[0] == nil {
			return 0, fmt.Errorf("not expecting nil argument")
		}
		v := reflect.ValueOf(args[0])
		if !v.CanInt() {
			return 0, fmt.Errorf("invalid arg type %s", v.Type())
		}
		return rand.Intn(int(v.Int())), nil
	default:
		return 0, fmt.Errorf("invalid number of arguments (expected 0 or 1, got %d)", len(args))
	}
}

func sequence(start, stop int) []int {
	if start > stop {
		return []int{}
	}
	out := make([]int, 0, stop-start)
	for value := start; value < stop; value++ {
		out = append(out, value)
	}
	return out
}

func kind(value any) string {
	if value == nil {
		return "nil"
	}
	switch reflect.ValueOf(value).Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map:
		return "map"
	}
	return "other"
}

func evaluate(source string, env map[string]any) (out any, stage string, message string) {
	defer func() {
		if r := recover(); r != nil {
			out, stage, message = nil, "run", fmt.Sprint(r)
		}
	}()
	program, err := expr.Compile(source, expr.Env(env))
	if err != nil {
		if _, perr := parser.Parse(source); perr != nil {
			return nil, "syntax", perr.Error()
		}
		return nil, "compile", err.Error()
	}
	value, err := expr.Run(program, env)
	if err != nil {
		return nil, "run", err.Error()
	}
	return value, "", ""
}

func run(c testCase) result {
	env, err := environment(c.Env)
	if err != nil {
		return result{Error: "env", Msg: err.Error()}
	}
	if c.Expression != nil {
		value, stage, message := evaluate(*c.Expression, env)
		if stage != "" {
			return result{Error: stage, Msg: message}
		}
		return result{Kind: kind(value), Text: fmt.Sprintf("%v", value)}
	}
	text := *c.Template
	var buf bytes.Buffer
	position := 0
	for _, match := range templatePattern.FindAllStringSubmatchIndex(text, -1) {
		buf.WriteString(text[position:match[0]])
		value, stage, message := evaluate(text[match[2]:match[3]], env)
		if stage != "" {
			return result{Error: stage, Msg: message}
		}
		buf.WriteString(fmt.Sprintf("%v", value))
		position = match[1]
	}
	buf.WriteString(text[position:])
	return result{Text: buf.String()}
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	results := make([]result, len(cases))
	for i, c := range cases {
		results[i] = run(c)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

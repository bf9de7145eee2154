package jmespath

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tEOF       tokenKind = iota
	tIdent               // unquoted identifier
	tQuoted              // quoted identifier
	tNumber              // -?[0-9]+, inside brackets
	tLiteral             // `json`
	tRawString           // 'raw'
	tDot                 // .
	tStar                // *
	tFlatten             // []
	tFilter              // [?
	tLBracket            // [
	tRBracket            // ]
	tLBrace              // {
	tRBrace              // }
	tLParen              // (
	tRParen              // )
	tComma               // ,
	tColon               // :
	tPipe                // |
	tOr                  // ||
	tAnd                 // &&
	tNot                 // !
	tExpref              // &
	tCurrent             // @
	tEQ                  // ==
	tNE                  // !=
	tLT                  // <
	tLE                  // <=
	tGT                  // >
	tGE                  // >=
)

var tokenNames = [...]string{
	tEOF: "end of expression", tIdent: "identifier", tQuoted: "quoted identifier",
	tNumber: "number", tLiteral: "literal", tRawString: "raw string", tDot: "'.'",
	tStar: "'*'", tFlatten: "'[]'", tFilter: "'[?'", tLBracket: "'['", tRBracket: "']'",
	tLBrace: "'{'", tRBrace: "'}'", tLParen: "'('", tRParen: "')'", tComma: "','",
	tColon: "':'", tPipe: "'|'", tOr: "'||'", tAnd: "'&&'", tNot: "'!'", tExpref: "'&'",
	tCurrent: "'@'", tEQ: "'=='", tNE: "'!='", tLT: "'<'", tLE: "'<='", tGT: "'>'", tGE: "'>='",
}

func (k tokenKind) String() string { return tokenNames[k] }

type token struct {
	kind tokenKind
	pos  int    // byte offset in the expression
	text string // identifier name, number text
	num  int    // tNumber value
	val  any    // tLiteral and tRawString value
}

// lex splits expr into tokens, ending with tEOF.
func lex(expr string) ([]token, error) {
	toks := make([]token, 0, len(expr)/2+1)
	i := 0
	for i < len(expr) {
		c := expr[i]
		start := i
		simple := func(k tokenKind, n int) {
			toks = append(toks, token{kind: k, pos: start})
			i += n
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			i++
			for i < len(expr) && isIdentChar(expr[i]) {
				i++
			}
			toks = append(toks, token{kind: tIdent, pos: start, text: expr[start:i]})
		case c == '-' || c >= '0' && c <= '9':
			i++
			for i < len(expr) && expr[i] >= '0' && expr[i] <= '9' {
				i++
			}
			text := expr[start:i]
			if text == "-" {
				return nil, syntaxErr(start, "expected a digit after '-'")
			}
			n, err := strconv.Atoi(text)
			if err != nil {
				return nil, syntaxErr(start, "number %s out of range", text)
			}
			toks = append(toks, token{kind: tNumber, pos: start, text: text, num: n})
		case c == '"':
			end, err := scanQuoted(expr, i, '"')
			if err != nil {
				return nil, err
			}
			var name string
			if err := json.Unmarshal([]byte(expr[i:end]), &name); err != nil {
				return nil, syntaxErr(start, "invalid quoted identifier %s", expr[i:end])
			}
			toks = append(toks, token{kind: tQuoted, pos: start, text: name})
			i = end
		case c == '\'':
			end, err := scanQuoted(expr, i, '\'')
			if err != nil {
				return nil, err
			}
			s := expr[i+1 : end-1]
			if strings.Contains(s, `\'`) {
				s = strings.ReplaceAll(s, `\'`, `'`)
			}
			toks = append(toks, token{kind: tRawString, pos: start, val: s})
			i = end
		case c == '`':
			end, err := scanQuoted(expr, i, '`')
			if err != nil {
				return nil, err
			}
			src := expr[i+1 : end-1]
			if strings.Contains(src, "\\`") {
				src = strings.ReplaceAll(src, "\\`", "`")
			}
			var v any
			if err := json.Unmarshal([]byte(src), &v); err != nil {
				return nil, syntaxErr(start, "invalid JSON literal `%s`: %v", src, err)
			}
			toks = append(toks, token{kind: tLiteral, pos: start, val: v})
			i = end
		case c == '[':
			switch {
			case i+1 < len(expr) && expr[i+1] == ']':
				simple(tFlatten, 2)
			case i+1 < len(expr) && expr[i+1] == '?':
				simple(tFilter, 2)
			default:
				simple(tLBracket, 1)
			}
		case c == '|':
			if i+1 < len(expr) && expr[i+1] == '|' {
				simple(tOr, 2)
			} else {
				simple(tPipe, 1)
			}
		case c == '&':
			if i+1 < len(expr) && expr[i+1] == '&' {
				simple(tAnd, 2)
			} else {
				simple(tExpref, 1)
			}
		case c == '!':
			if i+1 < len(expr) && expr[i+1] == '=' {
				simple(tNE, 2)
			} else {
				simple(tNot, 1)
			}
		case c == '<':
			if i+1 < len(expr) && expr[i+1] == '=' {
				simple(tLE, 2)
			} else {
				simple(tLT, 1)
			}
		case c == '>':
			if i+1 < len(expr) && expr[i+1] == '=' {
				simple(tGE, 2)
			} else {
				simple(tGT, 1)
			}
		case c == '=':
			if i+1 < len(expr) && expr[i+1] == '=' {
				simple(tEQ, 2)
			} else {
				return nil, syntaxErr(start, "unexpected '=' (did you mean '=='?)")
			}
		default:
			k, ok := singleTokens[c]
			if !ok {
				r, _ := utf8.DecodeRuneInString(expr[i:])
				return nil, syntaxErr(start, "unexpected character %q", r)
			}
			simple(k, 1)
		}
	}
	toks = append(toks, token{kind: tEOF, pos: len(expr)})
	return toks, nil
}

var singleTokens = map[byte]tokenKind{
	'.': tDot, '*': tStar, ']': tRBracket, '{': tLBrace, '}': tRBrace, '(': tLParen,
	')': tRParen, ',': tComma, ':': tColon, '@': tCurrent,
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// scanQuoted returns the offset just past the closing quote of the token that starts with
// the quote at expr[start]; a backslash escapes the character after it.
func scanQuoted(expr string, start int, quote byte) (int, error) {
	for i := start + 1; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case quote:
			return i + 1, nil
		}
	}
	what := map[byte]string{'"': "quoted identifier", '\'': "raw string", '`': "literal"}[quote]
	return 0, syntaxErr(start, "unterminated %s", what)
}

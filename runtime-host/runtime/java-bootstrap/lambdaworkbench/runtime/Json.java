// A small JSON reader and writer: the reader builds a tree of LinkedHashMap, ArrayList, String, Boolean,
// Json.Number and null; the writer turns such a tree (or any value Binder hands it) into text. JDK only.
package lambdaworkbench.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Json {
    private Json() {
    }

    /** A JSON number as written, converted only when the target type is known. */
    static final class Number {
        final String text;

        Number(String text) {
            this.text = text;
        }

        boolean integral() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '.' || c == 'e' || c == 'E') return false;
            }
            return true;
        }

        /** What an untyped target (Object, Map values) gets: Integer, Long or BigInteger, else Double. */
        Object natural() {
            if (!integral()) return Double.valueOf(text);
            BigInteger big = new BigInteger(text);
            if (big.bitLength() < 32) return big.intValue();
            if (big.bitLength() < 64) return big.longValue();
            return big;
        }

        BigDecimal decimal() {
            return new BigDecimal(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    static final class ParseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value; empty input is null. Text after the value is ignored, as Lambda's reader does. */
    static Object parse(String text) {
        Reader r = new Reader(text);
        r.skipSpace();
        if (r.pos >= text.length()) return null;
        return r.value(0);
    }

    private static final class Reader {
        private final String s;
        int pos;

        Reader(String s) {
            this.s = s;
        }

        private ParseException error(String what) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < pos && i < s.length(); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new ParseException(what + " at line " + line + ", column " + column);
        }

        void skipSpace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                else break;
            }
        }

        Object value(int depth) {
            if (depth > 2000) throw error("JSON nested too deeply");
            skipSpace();
            if (pos >= s.length()) throw error("Unexpected end of input");
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("Unexpected character '" + c + "'");
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, pos)) throw error("Unrecognized token");
            pos += word.length();
        }

        private Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            for (;;) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != '"') throw error("Expected a field name");
                String key = string();
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != ':') throw error("Expected ':'");
                pos++;
                map.put(key, value(depth + 1));
                skipSpace();
                if (pos >= s.length()) throw error("Unexpected end of input in an object");
                char c = s.charAt(pos++);
                if (c == '}') return map;
                if (c != ',') throw error("Expected ',' or '}'");
            }
        }

        private List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            for (;;) {
                list.add(value(depth + 1));
                skipSpace();
                if (pos >= s.length()) throw error("Unexpected end of input in an array");
                char c = s.charAt(pos++);
                if (c == ']') return list;
                if (c != ',') throw error("Expected ',' or ']'");
            }
        }

        private String string() {
            pos++;
            StringBuilder b = null;
            int start = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = b == null ? s.substring(start, pos) : b.append(s, start, pos).toString();
                    pos++;
                    return out;
                }
                if (c == '\\') {
                    if (b == null) b = new StringBuilder();
                    b.append(s, start, pos);
                    pos++;
                    if (pos >= s.length()) break;
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"':
                        case '\\':
                        case '/':
                            b.append(e);
                            break;
                        case 'b':
                            b.append('\b');
                            break;
                        case 'f':
                            b.append('\f');
                            break;
                        case 'n':
                            b.append('\n');
                            break;
                        case 'r':
                            b.append('\r');
                            break;
                        case 't':
                            b.append('\t');
                            break;
                        case 'u':
                            if (pos + 4 > s.length()) throw error("Bad unicode escape");
                            try {
                                b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("Bad unicode escape");
                            }
                            pos += 4;
                            break;
                        default:
                            // Lambda's reader accepts a backslash before any character.
                            b.append(e);
                    }
                    start = pos;
                    continue;
                }
                pos++;
            }
            throw error("Unexpected end of input in a string");
        }

        private Number number() {
            int start = pos;
            if (s.charAt(pos) == '-') pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') pos++;
                else break;
            }
            String text = s.substring(start, pos);
            try {
                new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw error("Malformed number '" + text + "'");
            }
            return new Number(text);
        }
    }

    /** Appends `text` as a JSON string. */
    static void quote(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        out.append("\\u00");
                        out.append(Character.forDigit(c >> 4, 16));
                        out.append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2);
        quote(b, text);
        return b.toString();
    }
}

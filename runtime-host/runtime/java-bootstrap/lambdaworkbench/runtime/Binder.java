// Binds JSON trees (Json.parse) to the types a handler declares, and writes handler results as JSON, following
// the rules of Lambda's Java serializer where a handler can tell (lambda-behaviour §10): beans through setters
// and public fields, results through public getters and fields with null properties left out, unknown
// properties ignored, a single value accepted for a list, dates as numbers. JDK only, reflection throughout.
package lambdaworkbench.runtime;

import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Calendar;
import java.util.Collection;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

final class Binder {
    private Binder() {
    }

    /** What went wrong binding the event; its message names the type and where in the event. */
    static final class BindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindException(String message) {
            super(message);
        }

        BindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Classes of aws-lambda-java-events, whose JSON names differ in case from their bean names (`Records`). */
    private static final String EVENTS_PACKAGE = "com.amazonaws.services.lambda.runtime.events.";

    // ------------------------------------------------------------------------------------------------
    // Reading: JSON tree → declared type

    static Object read(Object node, Type type) {
        return convert(node, type, new HashMap<TypeVariable<?>, Type>(), "$");
    }

    private static String describe(Object node) {
        if (node == null) return "null";
        if (node instanceof Map) return "Object value";
        if (node instanceof List) return "Array value";
        if (node instanceof String) return "String value (" + Json.quote(abbreviate((String) node)) + ")";
        if (node instanceof Boolean) return "Boolean value";
        if (node instanceof Json.Number) return ((Json.Number) node).integral() ? "Integer value (" + node + ")" : "Floating-point value (" + node + ")";
        return node.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static BindException mismatch(Type type, Object node, String path) {
        return new BindException("Cannot deserialize value of type `" + typeName(type) + "` from " + describe(node) + " (at " + path + ")");
    }

    static String typeName(Type type) {
        return type instanceof Class ? ((Class<?>) type).getTypeName() : type.getTypeName();
    }

    private static Type resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (type instanceof TypeVariable) {
            Type bound = bindings.get(type);
            if (bound != null) return bound;
            Type[] bounds = ((TypeVariable<?>) type).getBounds();
            return bounds.length > 0 ? bounds[0] : Object.class;
        }
        if (type instanceof WildcardType) {
            Type[] upper = ((WildcardType) type).getUpperBounds();
            return resolve(upper.length > 0 ? upper[0] : Object.class, bindings);
        }
        return type;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class) return (Class<?>) type;
        if (type instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) type).getRawType();
        if (type instanceof GenericArrayType) return Array.newInstance(rawClass(((GenericArrayType) type).getGenericComponentType()), 0).getClass();
        return Object.class;
    }

    /** The type variables of `type`'s class and its superclasses, bound to what `type` and the `extends` clauses say. */
    private static Map<TypeVariable<?>, Type> bindingsOf(Type type, Map<TypeVariable<?>, Type> outer) {
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        Type current = type;
        int guard = 0;
        while (current != null && guard++ < 64) {
            Class<?> raw = rawClass(current);
            if (current instanceof ParameterizedType) {
                Type[] args = ((ParameterizedType) current).getActualTypeArguments();
                TypeVariable<?>[] vars = raw.getTypeParameters();
                for (int i = 0; i < vars.length && i < args.length; i++) {
                    Type arg = args[i];
                    if (arg instanceof TypeVariable && bindings.containsKey(arg)) arg = bindings.get(arg);
                    else if (arg instanceof TypeVariable && outer.containsKey(arg)) arg = outer.get(arg);
                    bindings.put(vars[i], arg);
                }
            }
            if (raw == Object.class || raw.isInterface()) break;
            current = raw.getGenericSuperclass();
        }
        return bindings;
    }

    private static Object convert(Object node, Type declared, Map<TypeVariable<?>, Type> outer, String path) {
        Type type = resolve(declared, outer);
        if (type instanceof GenericArrayType) {
            Type component = resolve(((GenericArrayType) type).getGenericComponentType(), outer);
            return toArray(node, rawClass(component), component, outer, path);
        }
        Class<?> raw = rawClass(type);
        Type[] args = type instanceof ParameterizedType ? ((ParameterizedType) type).getActualTypeArguments() : new Type[0];
        for (int i = 0; i < args.length; i++) args[i] = resolve(args[i], outer);

        if (raw == Object.class) return natural(node);
        if (raw.isPrimitive()) return primitive(node, raw, path);
        if (node == null) {
            if (raw == Optional.class) return Optional.empty();
            if (raw == OptionalInt.class) return OptionalInt.empty();
            if (raw == OptionalLong.class) return OptionalLong.empty();
            if (raw == OptionalDouble.class) return OptionalDouble.empty();
            return null;
        }
        if (raw == String.class || raw == CharSequence.class) return string(node, type, path);
        if (raw == Boolean.class || raw == Integer.class || raw == Long.class || raw == Short.class || raw == Byte.class || raw == Double.class
                || raw == Float.class || raw == Character.class) {
            return primitive(node, raw, path);
        }
        if (raw == BigDecimal.class || raw == BigInteger.class || raw == Number.class) return bigNumber(node, raw, path);
        if (raw.isEnum()) return enumValue(node, raw, path);
        if (raw == byte[].class) {
            if (node instanceof String) {
                try {
                    return Base64.getMimeDecoder().decode((String) node);
                } catch (IllegalArgumentException e) {
                    throw new BindException("Cannot decode base64 for `byte[]` (at " + path + "): " + e.getMessage());
                }
            }
            return toArray(node, byte.class, byte.class, outer, path);
        }
        if (raw == char[].class && node instanceof String) return ((String) node).toCharArray();
        if (raw.isArray()) return toArray(node, raw.getComponentType(), raw.getComponentType(), outer, path);
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) return collection(node, raw, args.length > 0 ? args[0] : Object.class, outer, path);
        if (Map.class.isAssignableFrom(raw)) {
            return map(node, raw, args.length > 0 ? args[0] : String.class, args.length > 1 ? args[1] : Object.class, outer, path);
        }
        if (raw == Optional.class) return Optional.ofNullable(convert(node, args.length > 0 ? args[0] : Object.class, outer, path));
        if (raw == OptionalInt.class) return OptionalInt.of((Integer) primitive(node, int.class, path));
        if (raw == OptionalLong.class) return OptionalLong.of((Long) primitive(node, long.class, path));
        if (raw == OptionalDouble.class) return OptionalDouble.of((Double) primitive(node, double.class, path));
        Object special = specialValue(node, raw, path);
        if (special != NONE) return special;
        if (node instanceof List) {
            List<?> list = (List<?>) node;
            // Lambda's reader unwraps a one-element array and reads an empty one as null.
            if (list.isEmpty()) return null;
            if (list.size() == 1) return convert(list.get(0), type, outer, path + "[0]");
            throw mismatch(type, node, path);
        }
        if (node instanceof String && ((String) node).isEmpty()) return null;
        if (isRecord(raw)) return record(node, raw, bindingsOf(type, outer), path);
        if (node instanceof Map) return bean((Map<?, ?>) node, raw, type, bindingsOf(type, outer), path);
        Object fromScalar = fromScalar(node, raw);
        if (fromScalar != NONE) return fromScalar;
        throw mismatch(type, node, path);
    }

    private static final Object NONE = new Object();

    /** An untyped target gets maps, lists, strings, booleans and Integer/Long/BigInteger/Double numbers. */
    static Object natural(Object node) {
        if (node instanceof Json.Number) return ((Json.Number) node).natural();
        if (node instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) out.put((String) e.getKey(), natural(e.getValue()));
            return out;
        }
        if (node instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) node) out.add(natural(o));
            return out;
        }
        return node;
    }

    private static Object string(Object node, Type type, String path) {
        if (node instanceof String) return node;
        if (node instanceof Json.Number || node instanceof Boolean) return node.toString();
        if (node instanceof List && ((List<?>) node).size() == 1) return string(((List<?>) node).get(0), type, path + "[0]");
        throw mismatch(type, node, path);
    }

    private static Object primitive(Object node, Class<?> raw, String path) {
        if (node instanceof List && ((List<?>) node).size() == 1) return primitive(((List<?>) node).get(0), raw, path + "[0]");
        Class<?> kind = boxed(raw);
        if (node == null || (node instanceof String && ((String) node).isEmpty())) {
            if (!raw.isPrimitive()) return null;
            return defaultOf(raw);
        }
        if (kind == Boolean.class) {
            if (node instanceof Boolean) return node;
            if (node instanceof String) {
                String s = ((String) node).trim();
                if (s.equalsIgnoreCase("true")) return Boolean.TRUE;
                if (s.equalsIgnoreCase("false")) return Boolean.FALSE;
            }
            if (node instanceof Json.Number) return ((Json.Number) node).decimal().signum() != 0;
            throw mismatch(raw, node, path);
        }
        if (kind == Character.class) {
            if (node instanceof String && ((String) node).length() == 1) return ((String) node).charAt(0);
            if (node instanceof Json.Number && ((Json.Number) node).integral()) return (char) new BigInteger(node.toString()).intValue();
            throw mismatch(raw, node, path);
        }
        BigDecimal value;
        if (node instanceof Json.Number) {
            value = ((Json.Number) node).decimal();
        } else if (node instanceof String) {
            String s = ((String) node).trim();
            if (kind == Double.class || kind == Float.class) {
                if (s.equals("NaN")) return kind == Double.class ? (Object) Double.NaN : (Object) Float.NaN;
                if (s.equals("Infinity") || s.equals("+Infinity")) return kind == Double.class ? (Object) Double.POSITIVE_INFINITY : (Object) Float.POSITIVE_INFINITY;
                if (s.equals("-Infinity")) return kind == Double.class ? (Object) Double.NEGATIVE_INFINITY : (Object) Float.NEGATIVE_INFINITY;
            }
            try {
                value = new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new BindException("Cannot deserialize value of type `" + raw.getName() + "` from String " + Json.quote(abbreviate(s)) + ": not a valid representation (at " + path + ")");
            }
            if (kind != Double.class && kind != Float.class && value.stripTrailingZeros().scale() > 0) {
                throw new BindException("Cannot deserialize value of type `" + raw.getName() + "` from String " + Json.quote(abbreviate(s)) + ": not a valid `" + raw.getName() + "` value (at " + path + ")");
            }
        } else {
            throw mismatch(raw, node, path);
        }
        if (kind == Double.class) return value.doubleValue();
        if (kind == Float.class) return value.floatValue();
        // A fraction read into an integer type is truncated, as Lambda's reader does.
        BigInteger whole = value.toBigInteger();
        long min;
        long max;
        if (kind == Integer.class) {
            min = Integer.MIN_VALUE;
            max = Integer.MAX_VALUE;
        } else if (kind == Short.class) {
            min = Short.MIN_VALUE;
            max = Short.MAX_VALUE;
        } else if (kind == Byte.class) {
            // Lambda's reader accepts 0..255 for a byte, as a signed value.
            min = Byte.MIN_VALUE;
            max = 255;
        } else {
            min = Long.MIN_VALUE;
            max = Long.MAX_VALUE;
        }
        if (whole.compareTo(BigInteger.valueOf(min)) < 0 || whole.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new BindException("Numeric value (" + node + ") out of range of " + raw.getName() + " (at " + path + ")");
        }
        long v = whole.longValue();
        if (kind == Integer.class) return (int) v;
        if (kind == Short.class) return (short) v;
        if (kind == Byte.class) return (byte) v;
        return v;
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) return c;
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == boolean.class) return Boolean.class;
        if (c == double.class) return Double.class;
        if (c == float.class) return Float.class;
        if (c == short.class) return Short.class;
        if (c == byte.class) return Byte.class;
        if (c == char.class) return Character.class;
        return c;
    }

    private static Object defaultOf(Class<?> c) {
        if (c == boolean.class) return Boolean.FALSE;
        if (c == char.class) return '\0';
        if (c == double.class) return 0d;
        if (c == float.class) return 0f;
        if (c == long.class) return 0L;
        if (c == short.class) return (short) 0;
        if (c == byte.class) return (byte) 0;
        return 0;
    }

    private static Object bigNumber(Object node, Class<?> raw, String path) {
        if (node instanceof List && ((List<?>) node).size() == 1) return bigNumber(((List<?>) node).get(0), raw, path + "[0]");
        BigDecimal value;
        if (node instanceof Json.Number) {
            if (raw == Number.class) return ((Json.Number) node).natural();
            value = ((Json.Number) node).decimal();
        } else if (node instanceof String) {
            try {
                value = new BigDecimal(((String) node).trim());
            } catch (NumberFormatException e) {
                throw mismatch(raw, node, path);
            }
        } else {
            throw mismatch(raw, node, path);
        }
        if (raw == BigInteger.class) return value.toBigInteger();
        if (raw == Number.class) return value;
        return value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Object node, Class<?> raw, String path) {
        Object[] constants = raw.getEnumConstants();
        if (node instanceof String) {
            for (Object c : constants) if (((Enum) c).name().equals(node)) return c;
            // Lambda reads unknown enum names as null.
            return null;
        }
        if (node instanceof Json.Number && ((Json.Number) node).integral()) {
            int i = new BigInteger(node.toString()).intValue();
            return i >= 0 && i < constants.length ? constants[i] : null;
        }
        if (node instanceof List && ((List<?>) node).size() == 1) return enumValue(((List<?>) node).get(0), raw, path + "[0]");
        throw mismatch(raw, node, path);
    }

    private static Object toArray(Object node, Class<?> component, Type componentType, Map<TypeVariable<?>, Type> outer, String path) {
        List<?> items = node instanceof List ? (List<?>) node : java.util.Collections.singletonList(node);
        Object array = Array.newInstance(component, items.size());
        for (int i = 0; i < items.size(); i++) Array.set(array, i, convert(items.get(i), componentType, outer, path + "[" + i + "]"));
        return array;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object collection(Object node, Class<?> raw, Type element, Map<TypeVariable<?>, Type> outer, String path) {
        Collection<Object> out;
        if (raw == EnumSet.class) {
            out = (Collection<Object>) (Collection) EnumSet.noneOf((Class) rawClass(element));
        } else if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            if (SortedSet.class.isAssignableFrom(raw) || NavigableSet.class.isAssignableFrom(raw)) out = new TreeSet<>();
            else if (Set.class.isAssignableFrom(raw)) out = new LinkedHashSet<>();
            else if (Queue.class.isAssignableFrom(raw) && !List.class.isAssignableFrom(raw)) out = new ArrayDeque<>();
            else out = new ArrayList<>();
        } else {
            out = (Collection<Object>) instantiate(raw, raw, path);
        }
        List<?> items = node instanceof List ? (List<?>) node : java.util.Collections.singletonList(node);
        for (int i = 0; i < items.size(); i++) out.add(convert(items.get(i), element, outer, path + "[" + i + "]"));
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object map(Object node, Class<?> raw, Type keyType, Type valueType, Map<TypeVariable<?>, Type> outer, String path) {
        if (node instanceof List && ((List<?>) node).isEmpty()) return null;
        if (node instanceof String && ((String) node).isEmpty()) return null;
        if (!(node instanceof Map)) throw mismatch(raw, node, path);
        Map<Object, Object> out;
        Class<?> keyClass = rawClass(resolve(keyType, outer));
        if (raw == EnumMap.class) {
            out = new EnumMap(keyClass);
        } else if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            if (SortedMap.class.isAssignableFrom(raw) || NavigableMap.class.isAssignableFrom(raw)) out = new TreeMap<>();
            else if (ConcurrentMap.class.isAssignableFrom(raw)) out = new ConcurrentHashMap<>();
            else out = new LinkedHashMap<>();
        } else {
            out = (Map<Object, Object>) instantiate(raw, raw, path);
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
            String key = (String) e.getKey();
            Object k = keyClass == String.class || keyClass == Object.class || keyClass == CharSequence.class ? key : convert(key, keyClass, outer, path + "." + key);
            out.put(k, convert(e.getValue(), valueType, outer, path + "." + key));
        }
        return out;
    }

    /** Dates, times and the JDK's value types, read from the numbers and strings Lambda's reader accepts. */
    private static Object specialValue(Object node, Class<?> raw, String path) {
        try {
            if (raw == Date.class) {
                if (node instanceof Json.Number) return new Date(((Json.Number) node).decimal().longValue());
                if (node instanceof String) return Date.from(parseInstant((String) node));
                return NONE;
            }
            if (raw == Calendar.class) {
                Calendar c = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
                if (node instanceof Json.Number) c.setTimeInMillis(((Json.Number) node).decimal().longValue());
                else if (node instanceof String) c.setTimeInMillis(parseInstant((String) node).toEpochMilli());
                else return NONE;
                return c;
            }
            if (raw == Instant.class) {
                if (node instanceof Json.Number) return instantOfSeconds(((Json.Number) node).decimal());
                if (node instanceof String) return parseInstant((String) node);
                return NONE;
            }
            if (raw == LocalDate.class) {
                if (node instanceof String) return LocalDate.parse((String) node);
                if (node instanceof List && ((List<?>) node).size() == 3) {
                    List<?> l = (List<?>) node;
                    return LocalDate.of(intOf(l.get(0)), intOf(l.get(1)), intOf(l.get(2)));
                }
                return NONE;
            }
            if (raw == LocalDateTime.class) {
                if (node instanceof String) return LocalDateTime.parse((String) node);
                if (node instanceof List && ((List<?>) node).size() >= 5) {
                    List<?> l = (List<?>) node;
                    return LocalDateTime.of(intOf(l.get(0)), intOf(l.get(1)), intOf(l.get(2)), intOf(l.get(3)), intOf(l.get(4)),
                            l.size() > 5 ? intOf(l.get(5)) : 0, l.size() > 6 ? intOf(l.get(6)) : 0);
                }
                return NONE;
            }
            if (raw == LocalTime.class) {
                if (node instanceof String) return LocalTime.parse((String) node);
                if (node instanceof List && ((List<?>) node).size() >= 2) {
                    List<?> l = (List<?>) node;
                    return LocalTime.of(intOf(l.get(0)), intOf(l.get(1)), l.size() > 2 ? intOf(l.get(2)) : 0, l.size() > 3 ? intOf(l.get(3)) : 0);
                }
                return NONE;
            }
            if (raw == OffsetDateTime.class) {
                if (node instanceof String) return OffsetDateTime.parse((String) node);
                if (node instanceof Json.Number) return OffsetDateTime.ofInstant(instantOfSeconds(((Json.Number) node).decimal()), java.time.ZoneOffset.UTC);
                return NONE;
            }
            if (raw == ZonedDateTime.class) {
                if (node instanceof String) return ZonedDateTime.parse((String) node);
                if (node instanceof Json.Number) return ZonedDateTime.ofInstant(instantOfSeconds(((Json.Number) node).decimal()), java.time.ZoneOffset.UTC);
                return NONE;
            }
            if (raw == Duration.class) {
                if (node instanceof String) return Duration.parse((String) node);
                if (node instanceof Json.Number) {
                    BigDecimal s = ((Json.Number) node).decimal();
                    return Duration.ofSeconds(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).longValue());
                }
                return NONE;
            }
            if (raw == UUID.class && node instanceof String) return UUID.fromString((String) node);
            if (raw == URI.class && node instanceof String) return URI.create((String) node);
            if (raw == URL.class && node instanceof String) return new URL((String) node);
            if (raw == File.class && node instanceof String) return new File((String) node);
            if (raw == Path.class && node instanceof String) return java.nio.file.Paths.get((String) node);
            if (raw == Locale.class && node instanceof String) return Locale.forLanguageTag(((String) node).replace('_', '-'));
            if (raw == TimeZone.class && node instanceof String) return TimeZone.getTimeZone((String) node);
            if (raw == Charset.class && node instanceof String) return Charset.forName((String) node);
            if (raw == Class.class && node instanceof String) return Class.forName((String) node, false, Thread.currentThread().getContextClassLoader());
        } catch (DateTimeParseException | IllegalArgumentException | java.net.MalformedURLException | ClassNotFoundException e) {
            throw new BindException("Cannot deserialize value of type `" + raw.getName() + "` from " + describe(node) + ": " + e.getMessage() + " (at " + path + ")", e);
        }
        return NONE;
    }

    private static int intOf(Object node) {
        return new BigDecimal(node.toString()).intValue();
    }

    private static Instant instantOfSeconds(BigDecimal seconds) {
        long s = seconds.longValue();
        long nanos = seconds.subtract(BigDecimal.valueOf(s)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(s, nanos);
    }

    private static Instant parseInstant(String s) {
        String t = s.trim();
        if (!t.isEmpty() && t.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return Instant.ofEpochMilli(Long.parseLong(t));
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e2) {
                return LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
        }
    }

    /**
     * A value class built from a string or number (Joda's DateTime in the events library, java.time types):
     * a static parse/valueOf/fromString method, else a public constructor taking String, Object or long.
     */
    private static Object fromScalar(Object node, Class<?> raw) {
        if (node instanceof Map || node instanceof List || node == null) return NONE;
        Object value = node instanceof Json.Number ? ((Json.Number) node).natural() : node;
        try {
            if (node instanceof String) {
                for (String name : new String[] {"parse", "valueOf", "fromString", "of"}) {
                    for (Class<?> p : new Class<?>[] {String.class, CharSequence.class}) {
                        try {
                            Method m = raw.getMethod(name, p);
                            if (Modifier.isStatic(m.getModifiers()) && raw.isAssignableFrom(m.getReturnType())) return m.invoke(null, node);
                        } catch (NoSuchMethodException ignored) {
                            // try the next
                        }
                    }
                }
                try {
                    return raw.getConstructor(String.class).newInstance(node);
                } catch (NoSuchMethodException ignored) {
                    // try the next
                }
            }
            if (value instanceof Number) {
                for (Class<?> p : new Class<?>[] {long.class, Long.class}) {
                    try {
                        return raw.getConstructor(p).newInstance(((Number) value).longValue());
                    } catch (NoSuchMethodException ignored) {
                        // try the next
                    }
                }
            }
            try {
                return raw.getConstructor(Object.class).newInstance(value);
            } catch (NoSuchMethodException ignored) {
                return NONE;
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BindException("Cannot construct instance of `" + raw.getName() + "` from " + describe(node) + ": " + cause, cause);
        } catch (ReflectiveOperationException e) {
            return NONE;
        }
    }

    private static Object instantiate(Class<?> raw, Type type, String path) {
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            throw new BindException("Cannot construct instance of `" + typeName(type)
                    + "` (no Creators, like default constructor, exist): abstract types either need to be mapped to concrete types, have custom deserializer, or contain additional type information (at " + path + ")");
        }
        Constructor<?> ctor;
        try {
            ctor = raw.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            String why = raw.getEnclosingClass() != null && !Modifier.isStatic(raw.getModifiers())
                    ? "non-static inner classes like this can only by instantiated using default, no-argument constructor"
                    : "no Creators, like default constructor, exist";
            throw new BindException("Cannot construct instance of `" + typeName(type) + "` (" + why + "): cannot deserialize from Object value (at " + path + ")");
        }
        try {
            ctor.setAccessible(true);
            return ctor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BindException("Cannot construct instance of `" + typeName(type) + "`, problem: " + cause.getMessage() + " (at " + path + ")", cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new BindException("Cannot construct instance of `" + typeName(type) + "`: " + e + " (at " + path + ")", e);
        }
    }

    /** How a bean property is set: a setter (any visibility) or a public field. */
    private static final class Mutator {
        final Method setter;
        final Field field;

        Mutator(Method setter, Field field) {
            this.setter = setter;
            this.field = field;
        }

        Type type() {
            return setter != null ? setter.getGenericParameterTypes()[0] : field.getGenericType();
        }
    }

    private static final Map<Class<?>, Map<String, Mutator>> MUTATORS = new ConcurrentHashMap<>();

    private static Map<String, Mutator> mutators(Class<?> raw) {
        Map<String, Mutator> cached = MUTATORS.get(raw);
        if (cached != null) return cached;
        Map<String, Mutator> found = new LinkedHashMap<>();
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod) || !Modifier.isPublic(mod) || Modifier.isTransient(mod)) continue;
                Mutator m = found.get(f.getName());
                if (m == null) found.put(f.getName(), new Mutator(null, f));
            }
        }
        // Setters win over fields; a subclass's setter over its superclass's.
        Map<String, Mutator> setters = new LinkedHashMap<>();
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                int mod = m.getModifiers();
                if (Modifier.isStatic(mod) || m.isBridge() || m.isSynthetic() || m.getParameterCount() != 1) continue;
                String name = m.getName();
                if (!name.startsWith("set") || name.length() == 3) continue;
                String property = propertyName(name.substring(3));
                Mutator existing = setters.get(property);
                // Of overloads, a String setter is the fallback, as it takes anything scalar.
                if (existing == null || (existing.setter.getDeclaringClass() == c && existing.setter.getParameterTypes()[0] == String.class)) {
                    setters.put(property, new Mutator(m, null));
                }
            }
        }
        found.putAll(setters);
        MUTATORS.put(raw, found);
        return found;
    }

    /** A bean name as Lambda's serializer derives it: `URL` stays `URL`, `Name` becomes `name`. */
    static String propertyName(String suffix) {
        if (suffix.isEmpty()) return suffix;
        if (suffix.length() > 1 && Character.isUpperCase(suffix.charAt(0)) && Character.isUpperCase(suffix.charAt(1))) return suffix;
        return Character.toLowerCase(suffix.charAt(0)) + suffix.substring(1);
    }

    private static Object bean(Map<?, ?> node, Class<?> raw, Type type, Map<TypeVariable<?>, Type> bindings, String path) {
        if (raw.getName().startsWith(EVENTS_PACKAGE + "S3Event") || hasSuperclassNamed(raw, EVENTS_PACKAGE + "models.s3.S3EventNotification")) {
            throw new BindException("Lambda Workbench cannot build `" + raw.getName()
                    + "`: Lambda reads it with a serializer made for that class, which this runtime does not have (take the event as a Map<String, Object>, or read it in a RequestStreamHandler)");
        }
        Object bean = instantiate(raw, type, path);
        Map<String, Mutator> mutators = mutators(raw);
        boolean lenientNames = raw.getName().startsWith(EVENTS_PACKAGE);
        for (Map.Entry<?, ?> e : node.entrySet()) {
            String key = (String) e.getKey();
            Mutator m = mutators.get(key);
            if (m == null && lenientNames) {
                // The events library's JSON names differ from its bean names in case and punctuation (`Records`,
                // `eventSourceARN`, `detail-type`).
                String loose = key.replaceAll("[^A-Za-z0-9]", "");
                for (Map.Entry<String, Mutator> candidate : mutators.entrySet()) {
                    if (candidate.getKey().equalsIgnoreCase(loose)) {
                        m = candidate.getValue();
                        break;
                    }
                }
            }
            // Unknown properties are ignored, as Lambda's reader does.
            if (m == null) continue;
            Object value = convert(e.getValue(), m.type(), bindings, path + "." + key);
            try {
                if (m.setter != null) {
                    m.setter.setAccessible(true);
                    m.setter.invoke(bean, value);
                } else {
                    if (value == null && m.field.getType().isPrimitive()) continue;
                    m.field.set(bean, value);
                }
            } catch (InvocationTargetException ex) {
                Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
                throw new BindException("Problem deserializing property '" + key + "' (at " + path + "): " + cause, cause);
            } catch (ReflectiveOperationException | RuntimeException ex) {
                throw new BindException("Cannot set property '" + key + "' of `" + raw.getName() + "` (at " + path + "): " + ex, ex);
            }
        }
        return bean;
    }

    private static boolean hasSuperclassNamed(Class<?> raw, String name) {
        for (Class<?> c = raw; c != null; c = c.getSuperclass()) if (c.getName().equals(name)) return true;
        return false;
    }

    // Records exist from Java 16; this code is built for Java 11, so it reaches them by reflection.
    private static final Method IS_RECORD = method(Class.class, "isRecord");
    private static final Method RECORD_COMPONENTS = method(Class.class, "getRecordComponents");

    private static Method method(Class<?> c, String name) {
        try {
            return c.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static boolean isRecord(Class<?> raw) {
        if (IS_RECORD == null) return false;
        try {
            return (Boolean) IS_RECORD.invoke(raw);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Record components as [name, generic type, accessor] triples. */
    private static Object[][] recordComponents(Class<?> raw) {
        try {
            Object[] components = (Object[]) RECORD_COMPONENTS.invoke(raw);
            Object[][] out = new Object[components.length][];
            for (int i = 0; i < components.length; i++) {
                Object c = components[i];
                Class<?> cc = c.getClass();
                out[i] = new Object[] {cc.getMethod("getName").invoke(c), cc.getMethod("getGenericType").invoke(c), cc.getMethod("getAccessor").invoke(c)};
            }
            return out;
        } catch (ReflectiveOperationException e) {
            throw new BindException("Cannot read the components of record " + raw.getName() + ": " + e, e);
        }
    }

    private static Object record(Object node, Class<?> raw, Map<TypeVariable<?>, Type> bindings, String path) {
        if (!(node instanceof Map)) {
            Object fromScalar = fromScalar(node, raw);
            if (fromScalar != NONE) return fromScalar;
            throw mismatch(raw, node, path);
        }
        Map<?, ?> map = (Map<?, ?>) node;
        Object[][] components = recordComponents(raw);
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = (String) components[i][0];
            Type t = (Type) components[i][1];
            types[i] = ((Method) components[i][2]).getReturnType();
            args[i] = convert(map.get(name), t, bindings, path + "." + name);
            if (args[i] == null && types[i].isPrimitive()) args[i] = defaultOf(types[i]);
        }
        try {
            Constructor<?> ctor = raw.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BindException("Cannot construct instance of `" + raw.getName() + "`, problem: " + cause.getMessage() + " (at " + path + ")", cause);
        } catch (ReflectiveOperationException e) {
            throw new BindException("Cannot construct instance of `" + raw.getName() + "`: " + e + " (at " + path + ")", e);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Writing: result → JSON text

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out).value(value, 0);
        return out.toString();
    }

    /** A bean property for writing: a public getter or a public field. */
    private static final class Accessor {
        final String name;
        final Method getter;
        final Field field;

        Accessor(String name, Method getter, Field field) {
            this.name = name;
            this.getter = getter;
            this.field = field;
        }

        Object get(Object bean) throws ReflectiveOperationException {
            if (getter != null) {
                getter.setAccessible(true);
                return getter.invoke(bean);
            }
            return field.get(bean);
        }
    }

    private static final Map<Class<?>, List<Accessor>> ACCESSORS = new ConcurrentHashMap<>();

    /** Properties in the order Lambda's serializer writes them: fields' declaration order (superclass first), then getter-only ones. */
    private static List<Accessor> accessors(Class<?> raw) {
        List<Accessor> cached = ACCESSORS.get(raw);
        if (cached != null) return cached;
        Map<String, Method> getters = new LinkedHashMap<>();
        for (Method m : raw.getMethods()) {
            int mod = m.getModifiers();
            if (Modifier.isStatic(mod) || m.getParameterCount() != 0 || m.isBridge() || m.getDeclaringClass() == Object.class) continue;
            String n = m.getName();
            String property = null;
            if (n.startsWith("get") && n.length() > 3 && m.getReturnType() != void.class) property = propertyName(n.substring(3));
            else if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) property = propertyName(n.substring(2));
            if (property == null) continue;
            Method existing = getters.get(property);
            // `getX` wins over `isX`.
            if (existing == null || existing.getName().startsWith("is")) getters.put(property, m);
        }
        Map<String, Field> publicFields = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) chain.add(0, c);
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod)) continue;
                if (!order.contains(f.getName())) order.add(f.getName());
                if (Modifier.isPublic(mod) && !Modifier.isTransient(mod)) publicFields.put(f.getName(), f);
            }
        }
        for (String g : getters.keySet()) if (!order.contains(g)) order.add(g);
        List<Accessor> out = new ArrayList<>();
        for (String name : order) {
            Method g = getters.get(name);
            Field f = publicFields.get(name);
            if (g != null || f != null) out.add(new Accessor(name, g, g == null ? f : null));
        }
        ACCESSORS.put(raw, out);
        return out;
    }

    private static final class Writer {
        private final StringBuilder out;
        private final Map<Object, Boolean> open = new IdentityHashMap<>();

        Writer(StringBuilder out) {
            this.out = out;
        }

        void value(Object v, int depth) {
            if (depth > 1000) throw new BindException("Document nesting depth exceeds the maximum allowed (1000)");
            if (v == null) {
                out.append("null");
            } else if (v instanceof String) {
                Json.quote(out, (String) v);
            } else if (v instanceof Character) {
                Json.quote(out, v.toString());
            } else if (v instanceof Boolean) {
                out.append(v.toString());
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                // Lambda's writer puts NaN and the infinities in quotes.
                if (Double.isNaN(d) || Double.isInfinite(d)) Json.quote(out, v.toString());
                else out.append(v.toString());
            } else if (v instanceof Number) {
                out.append(v.toString());
            } else if (v instanceof Json.Number) {
                out.append(v.toString());
            } else if (v instanceof Enum) {
                Json.quote(out, ((Enum<?>) v).name());
            } else if (v instanceof Optional) {
                value(((Optional<?>) v).orElse(null), depth);
            } else if (v instanceof OptionalInt) {
                OptionalInt o = (OptionalInt) v;
                out.append(o.isPresent() ? String.valueOf(o.getAsInt()) : "null");
            } else if (v instanceof OptionalLong) {
                OptionalLong o = (OptionalLong) v;
                out.append(o.isPresent() ? String.valueOf(o.getAsLong()) : "null");
            } else if (v instanceof OptionalDouble) {
                OptionalDouble o = (OptionalDouble) v;
                value(o.isPresent() ? (Object) o.getAsDouble() : null, depth);
            } else if (v instanceof byte[]) {
                Json.quote(out, Base64.getEncoder().encodeToString((byte[]) v));
            } else if (v instanceof char[]) {
                Json.quote(out, new String((char[]) v));
            } else if (v instanceof Date) {
                out.append(((Date) v).getTime());
            } else if (v instanceof Calendar) {
                out.append(((Calendar) v).getTimeInMillis());
            } else if (v instanceof Instant) {
                Instant i = (Instant) v;
                out.append(decimalSeconds(i.getEpochSecond(), i.getNano()));
            } else if (v instanceof OffsetDateTime) {
                Instant i = ((OffsetDateTime) v).toInstant();
                out.append(decimalSeconds(i.getEpochSecond(), i.getNano()));
            } else if (v instanceof ZonedDateTime) {
                Instant i = ((ZonedDateTime) v).toInstant();
                out.append(decimalSeconds(i.getEpochSecond(), i.getNano()));
            } else if (v instanceof Duration) {
                Duration d = (Duration) v;
                out.append(decimalSeconds(d.getSeconds(), d.getNano()));
            } else if (v instanceof LocalDate) {
                LocalDate d = (LocalDate) v;
                out.append('[').append(d.getYear()).append(',').append(d.getMonthValue()).append(',').append(d.getDayOfMonth()).append(']');
            } else if (v instanceof LocalDateTime) {
                LocalDateTime d = (LocalDateTime) v;
                out.append('[').append(d.getYear()).append(',').append(d.getMonthValue()).append(',').append(d.getDayOfMonth()).append(',');
                timeParts(d.getHour(), d.getMinute(), d.getSecond(), d.getNano());
                out.append(']');
            } else if (v instanceof LocalTime) {
                LocalTime t = (LocalTime) v;
                out.append('[');
                timeParts(t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
                out.append(']');
            } else if (v instanceof java.time.temporal.TemporalAccessor || v instanceof java.time.ZoneId || v instanceof java.time.Period || v instanceof UUID
                    || v instanceof URI || v instanceof URL || v instanceof Locale || v instanceof java.util.regex.Pattern
                    || v.getClass().getName().startsWith("org.joda.time.")) {
                Json.quote(out, v.toString());
            } else if (v instanceof File) {
                Json.quote(out, ((File) v).getAbsolutePath());
            } else if (v instanceof Path) {
                Json.quote(out, ((Path) v).toUri().toString());
            } else if (v instanceof Charset) {
                Json.quote(out, ((Charset) v).name());
            } else if (v instanceof TimeZone) {
                Json.quote(out, ((TimeZone) v).getID());
            } else if (v instanceof Class) {
                Json.quote(out, ((Class<?>) v).getName());
            } else if (v instanceof Map) {
                enter(v);
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) out.append(',');
                    first = false;
                    Object k = e.getKey();
                    Json.quote(out, k instanceof Enum ? ((Enum<?>) k).name() : String.valueOf(k));
                    out.append(':');
                    value(e.getValue(), depth + 1);
                }
                out.append('}');
                open.remove(v);
            } else if (v instanceof Iterable) {
                enter(v);
                out.append('[');
                boolean first = true;
                for (Iterator<?> it = ((Iterable<?>) v).iterator(); it.hasNext();) {
                    if (!first) out.append(',');
                    first = false;
                    value(it.next(), depth + 1);
                }
                out.append(']');
                open.remove(v);
            } else if (v.getClass().isArray()) {
                out.append('[');
                int n = Array.getLength(v);
                for (int i = 0; i < n; i++) {
                    if (i > 0) out.append(',');
                    value(Array.get(v, i), depth + 1);
                }
                out.append(']');
            } else if (isRecord(v.getClass())) {
                enter(v);
                out.append('{');
                boolean first = true;
                for (Object[] c : recordComponents(v.getClass())) {
                    Object property;
                    try {
                        Method accessor = (Method) c[2];
                        accessor.setAccessible(true);
                        property = accessor.invoke(v);
                    } catch (InvocationTargetException e) {
                        throw new BindException("Problem reading record component '" + c[0] + "': " + e.getCause(), e.getCause());
                    } catch (ReflectiveOperationException e) {
                        throw new BindException("Problem reading record component '" + c[0] + "': " + e, e);
                    }
                    if (property == null) continue;
                    if (!first) out.append(',');
                    first = false;
                    Json.quote(out, (String) c[0]);
                    out.append(':');
                    value(property, depth + 1);
                }
                out.append('}');
                open.remove(v);
            } else {
                bean(v, depth);
            }
        }

        private void timeParts(int hour, int minute, int second, int nano) {
            out.append(hour).append(',').append(minute);
            if (second > 0 || nano > 0) {
                out.append(',').append(second);
                if (nano > 0) out.append(',').append(nano);
            }
        }

        private void enter(Object v) {
            if (open.containsKey(v)) throw new BindException("Direct self-reference leading to cycle (through a " + v.getClass().getName() + ")");
            open.put(v, Boolean.TRUE);
        }

        private void bean(Object v, int depth) {
            enter(v);
            out.append('{');
            boolean first = true;
            for (Accessor a : accessors(v.getClass())) {
                Object property;
                try {
                    property = a.get(v);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new BindException("Problem reading property '" + a.name + "' of " + v.getClass().getName() + ": " + cause, cause);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new BindException("Problem reading property '" + a.name + "' of " + v.getClass().getName() + ": " + e, e);
                }
                // Lambda's writer leaves out properties whose value is null.
                if (property == null) continue;
                if (property == v) throw new BindException("Direct self-reference leading to cycle (through property '" + a.name + "' of " + v.getClass().getName() + ")");
                if (!first) out.append(',');
                first = false;
                Json.quote(out, a.name);
                out.append(':');
                value(property, depth + 1);
            }
            out.append('}');
            open.remove(v);
        }
    }

    /** `1700000000.000000001`, or `1700000000.0` without a fraction: how Lambda's writer gives instants and durations. */
    static String decimalSeconds(long seconds, int nanos) {
        if (nanos == 0) return seconds == 0 ? "0.0" : seconds + ".0";
        StringBuilder n = new StringBuilder(Integer.toString(nanos));
        while (n.length() < 9) n.insert(0, '0');
        return (seconds == 0 ? "0" : Long.toString(seconds)) + "." + n;
    }
}

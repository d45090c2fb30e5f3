// Finding the handler `_HANDLER` names, as Lambda's Java runtime does (lambda-behaviour §10):
// `package.Class` must implement RequestStreamHandler or RequestHandler<I, O>; `package.Class::method` picks,
// among the public methods of that name, the first usable signature — (InputStream, OutputStream, Context),
// (input, Context), (input), (), … — longer ones first. Problems that only concern one invocation (a class
// or method not found) are reported by each invocation; a class or constructor that throws fails init.
package lambdaworkbench.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.CustomPojoSerializer;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

final class Handlers {
    private Handlers() {
    }

    private static final byte[] JSON_NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /** A loaded handler: reads the event's bytes, writes the response's bytes. */
    interface Invocable {
        void call(byte[] input, ByteArrayOutputStream output, InvocationContext context) throws Throwable;
    }

    /** A handler that could not be loaded: every invocation reports why. */
    static final class Faulted implements Invocable {
        final UserFault fault;

        Faulted(UserFault fault) {
            this.fault = fault;
        }

        @Override
        public void call(byte[] input, ByteArrayOutputStream output, InvocationContext context) {
            throw fault;
        }
    }

    private static ClassLoader customerLoader;

    /** The handler for `handler`; throws a fatal UserFault when init must fail. */
    static Invocable find(String handler, ClassLoader loader) {
        customerLoader = loader;
        int colon = handler.lastIndexOf("::");
        String className = colon < 0 ? handler : handler.substring(0, colon);
        String methodName = colon < 0 ? null : handler.substring(colon + 2);
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            return new Faulted(UserFault.of("Invalid handler: `" + handler + "'"));
        }
        Class<?> clazz;
        try {
            clazz = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            return new Faulted(new UserFault("Class not found: " + className, e.getClass().getName(), UserFault.trace(e), false));
        } catch (NoClassDefFoundError e) {
            // Reported by the first invocation, after which the runtime stops (as Lambda's does).
            return new Faulted(loadError(e, className));
        } catch (Throwable t) {
            throw loadError(t, className);
        }
        Invocable found = methodName == null ? classHandler(clazz) : methodHandler(clazz, methodName);
        if (found instanceof Faulted && ((Faulted) found).fault.fatal) throw ((Faulted) found).fault;
        return found;
    }

    private static UserFault loadError(Throwable t, String className) {
        String m = t.getMessage();
        return new UserFault("Error loading class " + className + (m == null ? "" : ": " + m), t.getClass().getName(), UserFault.trace(t), true);
    }

    // ---- `package.Class`: RequestStreamHandler or RequestHandler<I, O>

    @SuppressWarnings("rawtypes")
    private static Invocable classHandler(Class<?> clazz) {
        if (RequestStreamHandler.class.isAssignableFrom(clazz)) {
            try {
                return stream((RequestStreamHandler) newInstance(constructorOf(clazz)));
            } catch (UserFault f) {
                return new Faulted(f);
            } catch (Throwable t) {
                return new Faulted(UserFault.of(t, false));
            }
        }
        if (RequestHandler.class.isAssignableFrom(clazz)) {
            Type[] types = requestHandlerTypes(clazz, clazz, new HashMap<TypeVariable<?>, Type>());
            if (types == null) {
                return new Faulted(UserFault.of("Class " + clazz.getName() + " does not implement RequestHandler with concrete type parameters"));
            }
            for (Type t : types) {
                if (t instanceof TypeVariable) {
                    boolean bounded = false;
                    for (Type b : ((TypeVariable<?>) t).getBounds()) if (!Object.class.equals(b)) bounded = true;
                    if (!bounded) {
                        return new Faulted(UserFault.of("Class " + clazz.getName()
                                + " does not implement RequestHandler with concrete type parameters: parameter " + t + " has no upper bound."));
                    }
                }
            }
            try {
                final RequestHandler handler = (RequestHandler) newInstance(constructorOf(clazz));
                return pojo(new Pojo() {
                    @SuppressWarnings("unchecked")
                    @Override
                    public Object handle(Object input, Context context) {
                        return handler.handleRequest(input, context);
                    }
                }, types[0], isVoid(types[1]) ? null : types[1]);
            } catch (UserFault f) {
                return new Faulted(f);
            } catch (Throwable t) {
                return new Faulted(UserFault.of(t, false));
            }
        }
        return new Faulted(UserFault.of("Class does not implement an appropriate handler interface: " + clazz.getName()));
    }

    /** RequestHandler's I and O as `clazz` binds them, through superclasses and interfaces. */
    private static Type[] requestHandlerTypes(Type type, Class<?> raw, Map<TypeVariable<?>, Type> outer) {
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        if (type instanceof ParameterizedType) {
            Type[] args = ((ParameterizedType) type).getActualTypeArguments();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            for (int i = 0; i < vars.length && i < args.length; i++) bindings.put(vars[i], substitute(args[i], outer));
        }
        List<Type> supers = new ArrayList<>();
        for (Type t : raw.getGenericInterfaces()) supers.add(t);
        if (raw.getGenericSuperclass() != null) supers.add(raw.getGenericSuperclass());
        for (Type t : supers) {
            Class<?> r = t instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) t).getRawType() : (Class<?>) t;
            if (r == RequestHandler.class) {
                if (!(t instanceof ParameterizedType)) return null;
                Type[] args = ((ParameterizedType) t).getActualTypeArguments();
                Type[] out = new Type[args.length];
                for (int i = 0; i < args.length; i++) out[i] = substitute(args[i], bindings);
                return out;
            }
        }
        for (Type t : supers) {
            Class<?> r = t instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) t).getRawType() : (Class<?>) t;
            if (RequestHandler.class.isAssignableFrom(r)) {
                Type[] found = requestHandlerTypes(t, r, bindings);
                if (found != null) return found;
            }
        }
        return null;
    }

    private static Type substitute(Type t, Map<TypeVariable<?>, Type> bindings) {
        if (t instanceof TypeVariable && bindings.containsKey(t)) return bindings.get(t);
        return t;
    }

    private static boolean isVoid(Type t) {
        return t == void.class || (t instanceof Class && Void.class.isAssignableFrom((Class<?>) t));
    }

    private static Constructor<?> constructorOf(Class<?> clazz) throws Exception {
        try {
            return clazz.getConstructor();
        } catch (NoSuchMethodException e) {
            if (clazz.getEnclosingClass() != null && !Modifier.isStatic(clazz.getModifiers())) {
                throw new Exception("Class " + clazz.getName() + " cannot be instantiated because it is a non-static inner class");
            }
            throw new Exception("Class " + clazz.getName() + " has no public zero-argument constructor", e);
        }
    }

    /** A constructor that throws fails init (a fatal fault); other problems surface as they are. */
    private static Object newInstance(Constructor<?> constructor) {
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw UserFault.of(e.getCause() == null ? e : e.getCause(), true);
        } catch (InstantiationException e) {
            throw UserFault.sneaky(e.getCause() == null ? e : e.getCause());
        } catch (IllegalAccessException e) {
            throw UserFault.sneaky(e);
        }
    }

    // ---- `package.Class::method`

    private static boolean isContext(Type t) {
        return Context.class.equals(t);
    }

    /** Non-bridge methods first, then longer signatures, a trailing Context counting one extra. */
    private static final Comparator<Method> PRIORITY = new Comparator<Method>() {
        @Override
        public int compare(Method a, Method b) {
            if (!a.isBridge() && b.isBridge()) return -1;
            if (a.isBridge() && !b.isBridge()) return 1;
            return -Integer.compare(weight(a), weight(b));
        }

        private int weight(Method m) {
            Class<?>[] p = m.getParameterTypes();
            return p.length + (p.length > 0 && isContext(p[p.length - 1]) ? 1 : 0);
        }
    };

    private static Invocable methodHandler(Class<?> clazz, String name) {
        Method[] all;
        try {
            all = clazz.getMethods();
        } catch (NoClassDefFoundError e) {
            return new Faulted(new UserFault("Error loading method " + name + " on class " + clazz.getName(), e.getClass().getName(), UserFault.trace(e), false));
        }
        List<Method> named = new ArrayList<>();
        for (Method m : all) if (m.getName().equals(name)) named.add(m);
        named.sort(PRIORITY);
        for (Method m : named) {
            Invocable found = fromOverload(clazz, m);
            if (found != null) return found;
        }
        return new Faulted(UserFault.of("No public method named " + name + " with appropriate method signature found on class " + clazz.getName()));
    }

    private static Invocable fromOverload(Class<?> clazz, Method m) {
        Type r = m.getGenericReturnType();
        Type[] p = m.getGenericParameterTypes();
        if (p.length == 0) return pojoMethod(clazz, m, null, r, false);
        if (p.length == 1) {
            if (InputStream.class.equals(p[0])) return streamMethod(clazz, m, true, false, false);
            if (OutputStream.class.equals(p[0])) return streamMethod(clazz, m, false, true, false);
            if (isContext(p[0])) return pojoMethod(clazz, m, null, r, true);
            return pojoMethod(clazz, m, p[0], r, false);
        }
        if (p.length == 2) {
            if (OutputStream.class.equals(p[0])) {
                if (isContext(p[1])) return streamMethod(clazz, m, false, true, true);
                System.err.println("Ignoring two-argument overload because first argument type is OutputStream and second argument type is not Context");
                return null;
            }
            if (isContext(p[0])) {
                System.err.println("Ignoring two-argument overload because first argument type is Context");
                return null;
            }
            if (InputStream.class.equals(p[0])) {
                if (OutputStream.class.equals(p[1])) return streamMethod(clazz, m, true, true, false);
                if (isContext(p[1])) return streamMethod(clazz, m, true, false, true);
                System.err.println("Ignoring two-argument overload because second parameter type, " + m.getParameterTypes()[1].getName() + ", is not OutputStream.");
                return null;
            }
            if (isContext(p[1])) return pojoMethod(clazz, m, p[0], r, true);
            System.err.println("Ignoring two-argument overload because second parameter type is not Context");
            return null;
        }
        if (p.length == 3) {
            if (InputStream.class.equals(p[0]) && OutputStream.class.equals(p[1]) && isContext(p[2])) return streamMethod(clazz, m, true, true, true);
            System.err.println("Ignoring three-argument overload because argument signature is not (InputStream, OutputStream, Context");
            return null;
        }
        System.err.println("Ignoring an overload of method " + m.getName() + " because it has too many parameters: Expected at most 3, got " + p.length);
        return null;
    }

    private static Object instanceFor(Class<?> clazz, Method m) throws Exception {
        return Modifier.isStatic(m.getModifiers()) ? null : newInstance(constructorOf(clazz));
    }

    private static Invocable pojoMethod(Class<?> clazz, final Method m, final Type input, Type result, final boolean needsContext) {
        try {
            final Object instance = instanceFor(clazz, m);
            final int argc = (input != null ? 1 : 0) + (needsContext ? 1 : 0);
            return pojo(new Pojo() {
                @Override
                public Object handle(Object in, Context context) throws Throwable {
                    Object[] args = new Object[argc];
                    int i = 0;
                    if (input != null) args[i++] = in;
                    if (needsContext) args[i] = context;
                    try {
                        return m.invoke(instance, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause() != null ? e.getCause() : e;
                    }
                }
            }, input, isVoid(result) ? null : result);
        } catch (UserFault f) {
            return new Faulted(f);
        } catch (Throwable t) {
            return new Faulted(UserFault.of(t, false));
        }
    }

    private static Invocable streamMethod(Class<?> clazz, final Method m, final boolean needsInput, final boolean needsOutput, final boolean needsContext) {
        try {
            if (!isVoid(m.getReturnType())) System.err.println("Will ignore return type " + m.getReturnType() + " on byte stream handler");
            final Object instance = instanceFor(clazz, m);
            final int argc = (needsInput ? 1 : 0) + (needsOutput ? 1 : 0) + (needsContext ? 1 : 0);
            return new Invocable() {
                @Override
                public void call(byte[] input, ByteArrayOutputStream output, InvocationContext context) throws Throwable {
                    Object[] args = new Object[argc];
                    int i = 0;
                    if (needsInput) args[i++] = new ByteArrayInputStream(input);
                    if (needsOutput) args[i++] = output;
                    if (needsContext) args[i] = context;
                    try {
                        m.invoke(instance, args);
                    } catch (InvocationTargetException e) {
                        throw UserFault.filter(e.getCause() != null ? e.getCause() : e);
                    }
                    if (!needsOutput) output.write(JSON_NULL);
                }
            };
        } catch (UserFault f) {
            return new Faulted(f);
        } catch (Throwable t) {
            return new Faulted(UserFault.of(t, false));
        }
    }

    // ---- calling

    private static Invocable stream(final RequestStreamHandler handler) {
        return new Invocable() {
            @Override
            public void call(byte[] input, ByteArrayOutputStream output, InvocationContext context) throws Throwable {
                handler.handleRequest(new ByteArrayInputStream(input), output, context);
            }
        };
    }

    /** A handler that takes an object and returns one: RequestHandler, or a method taking (input[, Context]). */
    private interface Pojo {
        Object handle(Object input, Context context) throws Throwable;
    }

    /** Reads the event into `input`'s type and writes the result as JSON (`null` for void). */
    private static Invocable pojo(final Pojo handler, final Type input, final Type result) {
        // The JSON classes load during init, as Lambda's runtime prepares its serializers then, not in the first invocation.
        Binder.write(Binder.read(Json.parse("{\"warm\":[1,1.5,\"s\",true,null]}"), Object.class));
        return new Invocable() {
            @Override
            public void call(byte[] bytes, ByteArrayOutputStream output, InvocationContext context) throws Throwable {
                Object in = null;
                if (input != null) {
                    try {
                        in = fromJson(bytes, input);
                    } catch (Throwable t) {
                        throw new RuntimeException("An error occurred during JSON parsing", UserFault.filter(t));
                    }
                }
                Object out;
                try {
                    out = handler.handle(in, context);
                } catch (Throwable t) {
                    throw UserFault.filter(t);
                }
                try {
                    if (result != null) toJson(out, output, result);
                    else output.write(JSON_NULL);
                } catch (Throwable t) {
                    throw new RuntimeException("An error occurred during JSON serialization of response", t);
                }
            }
        };
    }

    // ---- serialization: the function's own CustomPojoSerializer when it ships one, else Binder

    private static boolean serializerLooked;
    private static CustomPojoSerializer customSerializer;

    private static synchronized CustomPojoSerializer customSerializer() {
        if (!serializerLooked) {
            serializerLooked = true;
            Iterator<CustomPojoSerializer> found = ServiceLoader.load(CustomPojoSerializer.class, customerLoader).iterator();
            if (found.hasNext()) {
                customSerializer = found.next();
                if (found.hasNext()) throw new IllegalStateException("Too many serializers provided inside the META-INF/services folder, only one is allowed");
            }
        }
        return customSerializer;
    }

    private static Object fromJson(byte[] bytes, Type type) {
        CustomPojoSerializer custom = customSerializer();
        if (custom != null) return custom.fromJson(new ByteArrayInputStream(bytes), type);
        return Binder.read(Json.parse(new String(bytes, StandardCharsets.UTF_8)), type);
    }

    private static void toJson(Object value, ByteArrayOutputStream output, Type type) throws java.io.IOException {
        CustomPojoSerializer custom = customSerializer();
        if (custom != null) {
            custom.toJson(value, output, type);
            return;
        }
        output.write(Binder.write(value).getBytes(StandardCharsets.UTF_8));
    }
}

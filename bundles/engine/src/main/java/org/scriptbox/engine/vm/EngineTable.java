package org.scriptbox.engine.vm;

import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The table of every sandboxed script: a subclass of Luaj's {@link LuaTable} with storage of its own, made by
 * {@code NEWTABLE} (interpreter and compiler), by the engine's libraries and, for the globals, inside
 * {@link EngineGlobals}. Luaj's {@code LuaTable} keeps its hash part in package-private slots, so the limits of
 * issue 11 could only be kept by a patched copy in Luaj's package (sessions 3-5); here they are this class's own:
 * <ul>
 * <li>the table-size limit, exact: every table knows its element count; the thread's limit is looked up only when
 * the capacity changes (a table cannot hold more than its capacity before the next change), so a plain store pays
 * one comparison;</li>
 * <li>hops of {@code __index}/{@code __newindex} chains past {@link #FREE_HOPS} charged (red team R1);</li>
 * <li>the positions {@code next} skips charged (R11);</li>
 * <li>long hash chains and the bytes compared of long colliding string keys charged (Luaj hashes a long string
 * from 32 sampled bytes, so a script can make many keys with one hash);</li>
 * <li>a call through {@code __call} counted as a call level.</li>
 * </ul>
 * Storage: Luaj's array part ({@code array}, keys 1..n; the inherited {@code rawlen}, {@code insert},
 * {@code remove}, {@code concat}, {@code unpack}, {@code inext} work through the methods overridden here) and a
 * hash part of three arrays (keys and values interleaved, hashes and chain links interleaved, chain heads) with chaining by index: entries are appended in insertion order, so {@code pairs}
 * visits them in that order (the same in every run, whatever the identity hashes of table keys). A removed entry
 * keeps its key with no value until the next rehash, so {@code next} goes on from a key cleared during a traversal.
 * {@code __mode} is not honoured: weak tables are strong here (scripts cannot drive the collector anyway).
 */
public class EngineTable extends LuaTable {
    private static final LuaValue[] NO_VALUES = {};
    /**
     * The value slot of an entry whose number is in {@link #nums}: private, boxed at every read that wants a
     * value ({@link #valueAt}), so it never leaves this class. Non-null, so an entry holding it counts as set.
     */
    private static final LuaValue NUM = new org.luaj.vm2.LuaUserdata(new Object());
    /**
     * What {@link #getFieldNum} answers when it has no number for the caller (a NaN no arithmetic makes: its
     * payload is never produced by Lua code, and a NaN in a slot is answered as a miss too).
     */
    public static final long NO_NUMBER_BITS = 0x7ffc_0bad_5ca1_ab1eL;
    public static final double NO_NUMBER = Double.longBitsToDouble(NO_NUMBER_BITS);
    private static final int[] NO_INTS = {};

    /**
     * Hash part, three arrays (a small table's allocation counts): entry e has its key at {@code kv[2e]} and value at
     * {@code kv[2e + 1]} (null once removed), its hash at {@code hc[2e]} and the next entry + 1 of its chain at
     * {@code hc[2e + 1]} (0: the end).
     */
    private LuaValue[] kv = NO_VALUES;
    /**
     * Numbers held unboxed (compiled code's {@link #setFieldNum}): entry e's value is {@code nums[e]} when
     * {@code kv[2e + 1]} is {@link #NUM}. Null until the first such store (and after each rehash, which boxes them):
     * tables nobody stores computed numbers into pay nothing.
     */
    private double[] nums;
    private int[] hc = NO_INTS;
    /** First entry + 1 of each chain (0: empty); {@link #capacity} of them, a power of two. */
    private int[] heads = NO_INTS;
    /** Entries the hash part has room for. */
    private int capacity;
    /** 32 - log2(capacity) for Fibonacci hashing. */
    private int shift = 32;
    /** Entries used (live and removed). */
    private int used;
    /** Non-nil elements in both parts. */
    private int size;
    /** The table-size limit that applies if the capacity could exceed it, else {@link Integer#MAX_VALUE}. */
    private int sizeLimit = Integer.MAX_VALUE;

    public EngineTable() {
    }

    /** A table with room for {@code narray} list elements and {@code nhash} other keys ({@code NEWTABLE}). */
    public EngineTable(int narray, int nhash) {
        if (narray > 0) {
            array = new LuaValue[1 << ceilLog2(narray)];
        }
        if (nhash > 0) {
            allocateHash(Math.max(2, 1 << ceilLog2(nhash)));
        }
        capacityChanged();
    }

    /** {@code {n = ..., ...}} from {@code varargs} starting at {@code firstarg} (Luaj's {@code tableOf(varargs, i)}). */
    public EngineTable(Varargs varargs, int firstarg) {
        this(Math.max(varargs.narg() - (firstarg - 1), 0), 1);
        int n = Math.max(varargs.narg() - (firstarg - 1), 0);
        rawset(N, LuaInteger.valueOf(n));
        for (int i = 1; i <= n; i++) {
            rawset(i, varargs.arg(i + firstarg - 1));
        }
    }

    private static final LuaString N = LuaString.valueOf("n");

    /** An engine table with {@code source}'s entries and metatable (a table one of Luaj's library functions made). */
    public static EngineTable copyOf(LuaTable source) {
        EngineTable t = new EngineTable();
        LuaValue k = NIL;
        while (true) {
            Varargs next = source.next(k);
            if ((k = next.arg1()).isnil()) {
                break;
            }
            t.rawset(k, next.arg(2));
        }
        LuaValue mt = source.getmetatable();
        if (mt != null) {
            t.setmetatable(mt);
        }
        return t;
    }

    /** The value metamethods see as the table: itself, or the globals object this table stores for. */
    LuaValue owner() {
        return this;
    }

    // ----------------------------------------------------------------- capacity and the size limit

    @Override
    public void presize(int narray) {
        if (narray > array.length) {
            array = java.util.Arrays.copyOf(array, 1 << ceilLog2(narray));
            capacityChanged();
        }
    }

    @Override
    public void presize(int narray, int nhash) {
        presize(narray);
        if (nhash > capacity) {
            rehashTo(array.length, Math.max(2, 1 << ceilLog2(Math.max(nhash, used))));
        }
    }

    @Override
    protected int getArrayLength() {
        return array.length;
    }

    @Override
    protected int getHashLength() {
        return capacity;
    }

    /** Elements (non-nil values) in the table. */
    public int size() {
        return size;
    }

    /**
     * After the capacity changed: the thread's limit, if this table could now hold more than it (the smallest limit
     * in use spares the thread-local lookup for most tables).
     */
    private void capacityChanged() {
        long room = (long) array.length + capacity;
        sizeLimit = Integer.MAX_VALUE;
        if (room <= TableSizes.smallestLimit()) {
            return;
        }
        TableSizes.Guard guard = TableSizes.GUARD.get();
        if (guard != null && room > guard.maxTableSize()) {
            sizeLimit = guard.maxTableSize();
        }
    }

    /** One more element: refused past the limit (nothing is stored then). */
    private void added() {
        if (size >= sizeLimit) {
            TableSizes.tooBig((long) size + 1);
        }
        size++;
    }

    // ----------------------------------------------------------------- reads

    @Override
    public LuaValue rawget(int key) {
        LuaValue[] a = array;
        if (key > 0 && key <= a.length) {
            LuaValue v = a[key - 1];
            return v != null ? v : NIL;
        }
        int e = findInt(key);
        return e < 0 ? NIL : valueOrNil(e);
    }

    @Override
    public LuaValue rawget(LuaValue key) {
        if (key instanceof LuaInteger) {
            return rawget(key.toint());
        }
        return hashget(key);
    }

    @Override
    protected LuaValue hashget(LuaValue key) {
        int e = find(key);
        return e < 0 ? NIL : valueOrNil(e);
    }

    /** Entry e's value, a number in {@link #nums} boxed as the interpreter would have stored it; null once removed. */
    private LuaValue valueAt(int e) {
        LuaValue v = kv[2 * e + 1];
        return v == NUM ? LuaDouble.valueOf(nums[e]) : v;
    }

    private LuaValue valueOrNil(int e) {
        LuaValue v = valueAt(e);
        return v == null ? NIL : v;
    }

    /**
     * A field read with a constant string key (GETFIELD/SELF of the compiler): the hash part only, as a string key
     * never lives in the array part. Returns null when absent, so the caller decides about metatables.
     */
    public final LuaValue rawgetStr(LuaString key) {
        int e = find(key);
        return e < 0 ? null : valueAt(e);
    }

    @Override
    public LuaValue get(int key) {
        LuaValue v = rawget(key);
        return v.isnil() && m_metatable != null ? chainGet(LuaInteger.valueOf(key)) : v;
    }

    @Override
    public LuaValue get(LuaValue key) {
        LuaValue v = rawget(key);
        return v.isnil() && m_metatable != null ? chainGet(key) : v;
    }

    /** {@code #t} as an int for library code: a {@code __len} result outside the int range is an error, not wrapped. */
    @Override
    public int length() {
        return m_metatable != null ? lengthOf(len()) : rawlen();
    }

    static int lengthOf(LuaValue n) {
        if (n.isnumber()) {
            double d = n.todouble();
            if (!(d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE)) {
                throw new org.luaj.vm2.LuaError("object length is not an integer (" + NumberText.string(n) + " is outside the integer range)");
            }
        }
        return n.toint();
    }

    // ----------------------------------------------------------------- field caches of compiled code

    /**
     * {@code t[k]} for a constant string key at a compiled {@code GETTABLE}/{@code GETTABUP}/{@code SELF}:
     * {@code site.entry} remembers the entry where its key {@code k} was found. Tables built the same way (a constructor, an
     * object's fields set in one order) have their keys at the same entries, so one site serves many tables. A hit
     * needs a {@link #quiet} table and the identical key object at that entry: exactly the lookups for which
     * {@link #get}'s own walk charges nothing, so the count is the interpreter's. Anything else takes {@link #get}'s
     * path (the same charges) and remembers where the key was.
     */
    public static LuaValue getField(LuaValue t, FieldSite site) {
        // the hit on a table, in few bytes: the JIT inlines this into generated code, whose budget is 8,000
        // bytes with all it inlines; the rest is a call of its own
        if (t instanceof EngineTable) {
            EngineTable et = (EngineTable) t;
            int e = site.entry;
            if (e < et.used && et.kv[2 * e] == site.key && et.quiet) {
                LuaValue v = et.kv[2 * e + 1];
                if (v != null) {
                    return v == NUM ? LuaDouble.valueOf(et.nums[e]) : v;
                }
            }
        }
        return getFieldSlow(t, site);
    }

    /**
     * The engine table a field site's slow path works on: {@code t} itself, or the store of the globals object; null
     * for any other value (then the slow path is the value's own {@code get}/{@code set}, or no number).
     */
    private static EngineTable tableOf(LuaValue t) {
        if (t instanceof EngineTable) {
            return (EngineTable) t;
        }
        return t instanceof EngineGlobals ? ((EngineGlobals) t).store() : null;
    }

    private static LuaValue getFieldSlow(LuaValue t, FieldSite site) {
        LuaString k = site.key;
        EngineTable et = tableOf(t);
        if (et == null) {
            return t.get(k);
        }
        int e = site.entry;
        LuaValue v;
        if (e < et.used && et.kv[2 * e] == k && et.quiet) {
            v = et.valueAt(e);
        } else {
            e = et.find(k);
            if (e < 0) {
                v = null;
            } else {
                site.entry = e;
                v = et.valueAt(e);
            }
        }
        if (v != null) {
            return v;
        }
        return et.m_metatable != null ? et.chainGet(k) : NIL;
    }

    /**
     * {@code t[k] = v} for a constant string key at a compiled {@code SETTABLE}/{@code SETTABUP}: a hit (as in
     * {@link #getField}, and the entry holds a value, so neither {@code __newindex} nor a new key is involved) stores
     * into the entry; anything else is {@link #set}, and then the entry is remembered if the key object is there.
     */
    public static void setField(LuaValue t, LuaValue v, FieldSite site) {
        if (t instanceof EngineTable) { // the hit in few bytes (see getField)
            EngineTable et = (EngineTable) t;
            int e = site.entry;
            if (e < et.used && et.kv[2 * e] == site.key && et.quiet && et.kv[2 * e + 1] != null) {
                et.storeInEntry(e, v);
                return;
            }
        }
        setFieldSlow(t, v, site);
    }

    private static void setFieldSlow(LuaValue t, LuaValue v, FieldSite site) {
        LuaString k = site.key;
        EngineTable et = tableOf(t);
        if (et == null) {
            t.set(k, v);
            return;
        }
        int e = site.entry;
        if (e < et.used && et.kv[2 * e] == k && et.quiet && et.kv[2 * e + 1] != null) {
            et.storeInEntry(e, v);
            return;
        }
        et.set(k, v);
        e = et.entryOf(k);
        if (e >= 0) {
            site.entry = e;
        }
    }

    /**
     * {@code t[k]} as a double for compiled code that wants a number, or a NaN ({@link #NO_NUMBER}, or the NaN
     * the entry holds; the caller then takes {@link #getField}'s path, which boxes it): answered only on {@link #getField}'s cache hit (which charges
     * nothing) and only for a number that boxes back to the very kind of value the slot holds (an integer, or a
     * non-integral, non-NaN double), so a register holding it unboxed boxes to an equal value of the same type.
     */
    public static double getFieldNum(LuaValue t, FieldSite site) {
        if (t instanceof EngineTable) { // the hit on a number kept unboxed, in few bytes (see getField)
            EngineTable et = (EngineTable) t;
            int e = site.entry;
            if (e < et.used && et.kv[2 * e] == site.key && et.quiet && et.kv[2 * e + 1] == NUM) {
                return et.nums[e]; // a NaN here is a miss for the caller too: it reads the boxed NaN
            }
        }
        return getFieldNumSlow(t, site);
    }

    private static double getFieldNumSlow(LuaValue t, FieldSite site) {
        LuaString k = site.key;
        EngineTable et = tableOf(t);
        if (et == null) {
            return NO_NUMBER;
        }
        int e = site.entry;
        if (e < et.used && et.kv[2 * e] == k && et.quiet) {
            LuaValue v = et.kv[2 * e + 1];
            if (v == NUM) {
                double d = et.nums[e];
                if (d == d) {
                    return d;
                }
            } else if (v instanceof LuaInteger) {
                return et.keepUnboxed(e, ((LuaInteger) v).v);
            } else if (v instanceof LuaDouble) {
                double d = v.todouble();
                if (d == d && (int) d != d) {
                    return et.keepUnboxed(e, d);
                }
            }
        }
        return NO_NUMBER;
    }

    /**
     * {@code t[k] = d} for compiled code holding {@code d} unboxed ({@code -0} standing for the integer 0, as
     * {@code LuaDouble.valueOf} boxes it; see the compiler's {@code NumericRegisters}, "either zero"): on {@link #setField}'s cache hit the number is kept unboxed in the entry and true returned; else
     * false and nothing done (the caller boxes it and takes {@link #setField}'s path). A stored number reads back
     * as {@code LuaDouble.valueOf(d)}: what the interpreter stores.
     */
    public static boolean setFieldNum(LuaValue t, double d, FieldSite site) {
        if (t instanceof EngineTable) { // the hit on an entry already holding an unboxed number, in few bytes
            EngineTable et = (EngineTable) t;
            int e = site.entry;
            double[] n = et.nums;
            if (n != null && e < et.used && et.kv[2 * e] == site.key && et.quiet && et.kv[2 * e + 1] == NUM) {
                n[e] = d;
                return true;
            }
        }
        return setFieldNumSlow(t, d, site);
    }

    private static boolean setFieldNumSlow(LuaValue t, double d, FieldSite site) {
        LuaString k = site.key;
        EngineTable et = tableOf(t);
        if (et == null) {
            return false;
        }
        int e = site.entry;
        if (e < et.used && et.kv[2 * e] == k && et.quiet && et.kv[2 * e + 1] != null) {
            double[] n = et.nums;
            if (n == null) {
                n = et.nums = new double[et.capacity];
            }
            n[e] = d;
            et.kv[2 * e + 1] = NUM;
            return true;
        }
        return false;
    }

    /**
     * Entry e's number from now on in {@link #nums} (it reads back as {@code LuaDouble.valueOf(d)}, an equal value of
     * the same kind): a number the table was built with (a constructor's {@code mass = ...}) that compiled code reads
     * as a number is then a hit of {@link #getFieldNum}'s few bytes, whose slow path stays cold.
     */
    private double keepUnboxed(int e, double d) {
        double[] n = nums;
        if (n == null) {
            n = nums = new double[capacity];
        }
        n[e] = d;
        kv[2 * e + 1] = NUM;
        return d;
    }

    /** The entry holding this very key object, found without charges (only to fill a cache), or -1. */
    private int entryOf(LuaString k) {
        if (used == 0 || !quiet) {
            return -1;
        }
        int hash = k.hashCode();
        for (int e = heads[bucket(hash)] - 1; e >= 0; e = hc[2 * e + 1] - 1) {
            if (kv[2 * e] == k) {
                return e;
            }
        }
        return -1;
    }

    // ----------------------------------------------------------------- writes

    @Override
    public void set(int key, LuaValue value) {
        if (m_metatable == null || !rawget(key).isnil() || !chainSet(LuaInteger.valueOf(key), value)) {
            rawset(key, value);
        }
    }

    @Override
    public void set(LuaValue key, LuaValue value) {
        if (!key.isvalidkey() && !metatag(NEWINDEX).isfunction()) {
            invalidKey(key);
        }
        if (m_metatable == null || !rawget(key).isnil() || !chainSet(key, value)) {
            rawset(key, value);
        }
    }

    @Override
    public void rawset(int key, LuaValue value) {
        LuaValue[] a = array;
        if (key > 0 && key <= a.length) {
            storeInArray(a, key - 1, value);
            return;
        }
        int e = findInt(key);
        if (e >= 0) {
            storeInEntry(e, value);
        } else if (!value.isnil()) {
            addNew(LuaInteger.valueOf(key), value);
        }
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        if (key instanceof LuaInteger) {
            rawset(key.toint(), value);
            return;
        }
        if (!key.isvalidkey()) {
            invalidKey(key);
        }
        int e = find(key);
        if (e >= 0) {
            storeInEntry(e, value);
        } else if (!value.isnil()) {
            addNew(key, value);
        }
    }

    /** Lua 5.4's words (Luaj's typerror named the table's type: "table index expected, got table"). */
    static void invalidKey(LuaValue key) {
        throw new org.luaj.vm2.LuaError(key.isnil() ? "table index is nil" : "table index is NaN");
    }

    @Override
    public void hashset(LuaValue key, LuaValue value) {
        rawset(key, value);
    }

    private void storeInArray(LuaValue[] a, int i, LuaValue value) {
        if (value.isnil()) {
            if (a[i] != null) {
                a[i] = null;
                size--;
            }
        } else {
            if (a[i] == null) {
                added();
            }
            a[i] = value;
        }
    }

    private void storeInEntry(int e, LuaValue value) {
        if (value.isnil()) {
            if (kv[2 * e + 1] != null) {
                kv[2 * e + 1] = null;
                size--;
            }
        } else {
            if (kv[2 * e + 1] == null) {
                added();
            }
            kv[2 * e + 1] = value;
        }
    }

    /** A key not in the table gets a non-nil value: room is made first (which may move it to the array part). */
    private void addNew(LuaValue key, LuaValue value) {
        if (used == capacity) {
            rehash(key);
            if (key instanceof LuaInteger) {
                int k = key.toint();
                if (k > 0 && k <= array.length) {
                    storeInArray(array, k - 1, value);
                    return;
                }
            }
        }
        added();
        append(key, value, hashOf(key));
    }

    /**
     * A new entry at the end of its chain: the entries before a key in its chain stay the same until the next rehash,
     * so what a lookup of it costs (the charges of {@link #find}) does too; {@link #quiet} says whether any lookup of a
     * key of this table can cost a charge.
     */
    private void append(LuaValue key, LuaValue value, int hash) {
        int e = used++;
        kv[2 * e] = key;
        kv[2 * e + 1] = value;
        hc[2 * e] = hash;
        hc[2 * e + 1] = 0;
        int h = bucket(hash);
        int last = heads[h] - 1;
        if (last < 0) {
            heads[h] = e + 1;
            return;
        }
        int length = 1;
        boolean longKey = key instanceof LuaString && ((LuaString) key).m_length >= Meter.COMPARE_BYTES_PER_UNIT;
        while (true) {
            if (longKey && hc[2 * last] == hash && kv[2 * last] instanceof LuaString
                    && ((LuaString) kv[2 * last]).m_length == ((LuaString) key).m_length) {
                quiet = false; // two long keys that compare byte by byte
            }
            int next = hc[2 * last + 1] - 1;
            if (next < 0) {
                break;
            }
            last = next;
            length++;
        }
        hc[2 * last + 1] = e + 1;
        if (length + 1 > LONG_CHAIN) {
            quiet = false;
        }
    }

    /**
     * No chain is longer than {@link #LONG_CHAIN} and no two long string keys share a chain with one hash and length:
     * then a lookup of a key that is in the table, by the very key object stored, costs no charge in {@link #find},
     * which is what lets compiled code use a cached entry ({@link #getField}) with the interpreter's exact count.
     * Only ever cleared between rehashes (entries are never unlinked); a rehash rebuilds every chain.
     */
    private boolean quiet = true;

    // ----------------------------------------------------------------- lookup

    private static int hashOf(LuaValue key) {
        return key.hashCode();
    }

    private int bucket(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }

    /** The entry of {@code key}, or -1; long chains and long colliding string keys are charged. */
    private int find(LuaValue key) {
        if (used == 0) {
            return -1;
        }
        int hash = hashOf(key);
        int steps = 0;
        for (int e = heads[bucket(hash)] - 1; e >= 0; e = hc[2 * e + 1] - 1) {
            if (hc[2 * e] == hash) {
                LuaValue k = kv[2 * e];
                if (k == key) {
                    if (steps > LONG_CHAIN) lookupWork(steps, 0);
                    return e;
                }
                if (key instanceof LuaString && k instanceof LuaString) {
                    long compared = comparedBytes((LuaString) key, (LuaString) k);
                    boolean equal = k.raweq(key);
                    if (compared > 0 || steps > LONG_CHAIN) lookupWork(steps, compared);
                    if (equal) return e;
                } else if (k.raweq(key)) {
                    if (steps > LONG_CHAIN) lookupWork(steps, 0);
                    return e;
                }
            }
            steps++;
        }
        if (steps > LONG_CHAIN) lookupWork(steps, 0);
        return -1;
    }

    private int findInt(int key) {
        if (used == 0) {
            return -1;
        }
        int hash = key; // LuaInteger's hashCode
        int steps = 0;
        for (int e = heads[bucket(hash)] - 1; e >= 0; e = hc[2 * e + 1] - 1) {
            if (hc[2 * e] == hash && kv[2 * e].raweq(key)) {
                if (steps > LONG_CHAIN) lookupWork(steps, 0);
                return e;
            }
            steps++;
        }
        if (steps > LONG_CHAIN) lookupWork(steps, 0);
        return -1;
    }

    /**
     * A hash chain longer than this is charged to the execution ({@link TableSizes.Guard#lookupWork}): keys with one
     * hash (Luaj hashes a string of 32 bytes or more from 32 sampled bytes only) all land in one chain.
     */
    private static final int LONG_CHAIN = 8;

    /** The bytes a comparison of two distinct strings of one length and hash reads (0 for short ones). */
    private static long comparedBytes(LuaString key, LuaString other) {
        if (other == key || key.m_length < Meter.COMPARE_BYTES_PER_UNIT || other.m_length != key.m_length
                || (other.m_bytes == key.m_bytes && other.m_offset == key.m_offset)) {
            return 0;
        }
        return key.m_length;
    }

    private static void lookupWork(int steps, long compared) {
        TableSizes.Guard g = TableSizes.GUARD.get();
        if (g != null) g.lookupWork(steps > LONG_CHAIN ? steps : 0, compared);
    }

    /** {@code units} instructions' worth of table work. */
    private static void tableWork(int units) {
        TableSizes.Guard g = TableSizes.GUARD.get();
        if (g != null) g.lookupWork(units, 0);
    }

    // ----------------------------------------------------------------- rehash

    /** Sizes both parts for the elements there are plus {@code newKey} (may be null), as Lua does. */
    private void rehash(LuaValue newKey) {
        int[] nums = new int[32];
        int ints = 0;
        LuaValue[] a = array;
        // the array part slice by slice (keys 2^(j-1) + 1 .. 2^j), counted in a local: a count in nums[] per element was
        // a store-to-load chain, a fifth of the time of a sieve that grows its table to 200,000
        for (int j = 0, lo = 0; lo < a.length; j++) {
            int hi = Math.min(a.length, 1 << j);
            int c = 0;
            for (int i = lo; i < hi; i++) {
                if (a[i] != null) {
                    c++;
                }
            }
            nums[j] += c;
            ints += c;
            lo = hi;
        }
        int liveEntries = 0;
        for (int e = 0; e < used; e++) {
            if (kv[2 * e + 1] != null) {
                liveEntries++;
            }
            if (kv[2 * e + 1] != null && kv[2 * e] instanceof LuaInteger) {
                int k = kv[2 * e].toint();
                if (k > 0) {
                    nums[ceilLog2(k)]++;
                    ints++;
                }
            }
        }
        int total = size;
        if (newKey != null) {
            total++;
            if (newKey instanceof LuaInteger && newKey.toint() > 0) {
                nums[ceilLog2(newKey.toint())]++;
                ints++;
            }
        }
        // The largest power of two n such that more than half of 1..n are in use.
        int arraySize = 0;
        int inArray = 0;
        int counted = 0;
        for (int i = 0, twoToI = 1; i < 31 && twoToI / 2 < ints; i++, twoToI <<= 1) {
            counted += nums[i];
            if (counted > twoToI / 2) {
                arraySize = twoToI;
                inArray = counted;
            }
        }
        int inHash = total - inArray;
        // Removed entries made this rehash: room for a quarter more, or a table that keeps about as many keys as it
        // has room for, adding one and removing another, would rehash every few stores.
        int room = liveEntries < used ? inHash + inHash / 4 : inHash;
        rehashTo(arraySize, room == 0 ? 0 : Math.max(2, 1 << ceilLog2(room)));
    }

    private void rehashTo(int arraySize, int hashCapacity) {
        LuaValue[] oldArray = array;
        LuaValue[] oldKv = kv;
        int[] oldHc = hc;
        int oldUsed = used;
        LuaValue[] newArray = arraySize == oldArray.length ? oldArray : java.util.Arrays.copyOf(oldArray, arraySize);
        allocateHash(hashCapacity);
        array = newArray;
        for (int i = arraySize; i < oldArray.length; i++) {
            if (oldArray[i] != null) {
                append(LuaInteger.valueOf(i + 1), oldArray[i], i + 1);
            }
        }
        double[] oldNums = nums;
        nums = null;
        for (int e = 0; e < oldUsed; e++) {
            LuaValue v = oldKv[2 * e + 1];
            if (v == null) {
                continue;
            }
            if (v == NUM) {
                v = LuaDouble.valueOf(oldNums[e]);
            }
            LuaValue k = oldKv[2 * e];
            if (k instanceof LuaInteger) {
                int ik = k.toint();
                if (ik > 0 && ik <= arraySize) {
                    newArray[ik - 1] = v;
                    continue;
                }
            }
            append(k, v, oldHc[2 * e]);
        }
        capacityChanged();
    }

    private void allocateHash(int entries) {
        capacity = entries;
        kv = entries == 0 ? NO_VALUES : new LuaValue[2 * entries];
        hc = entries == 0 ? NO_INTS : new int[2 * entries];
        heads = entries == 0 ? NO_INTS : new int[entries];
        shift = entries == 0 ? 32 : 32 - Integer.numberOfTrailingZeros(entries);
        used = 0;
        quiet = true;
    }

    /** ceil(log2(x)) for x >= 1. */
    private static int ceilLog2(int x) {
        return x <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(x - 1);
    }

    // ----------------------------------------------------------------- traversal

    @Override
    public Varargs next(LuaValue key) {
        LuaValue[] a = array;
        int from = 0;
        if (!key.isnil()) {
            int at = -1;
            if (key instanceof LuaInteger) {
                int k = key.toint();
                if (k > 0 && k <= a.length) {
                    at = k - 1;
                }
            }
            if (at < 0) {
                int e = key instanceof LuaInteger ? findInt(key.toint()) : find(key);
                if (e < 0) {
                    error("invalid key to 'next'");
                }
                at = a.length + e;
            }
            from = at + 1;
        }
        for (int i = from; i < a.length; i++) {
            if (a[i] != null) {
                nextWork(i - from);
                return varargsOf(LuaInteger.valueOf(i + 1), a[i]);
            }
        }
        for (int e = Math.max(0, from - a.length); e < used; e++) {
            if (kv[2 * e + 1] != null) {
                nextWork(a.length + e - from);
                return varargsOf(kv[2 * e], valueAt(e));
            }
        }
        nextWork(a.length + used - from);
        return NIL;
    }

    /**
     * Positions {@code next} skipped before its answer: in a table whose keys were deleted but one, every
     * {@code next(t)} scanned them all for one instruction (~100x a plain loop, red team R11).
     */
    private static void nextWork(int scanned) {
        if (scanned > LONG_CHAIN) tableWork(scanned / SCANNED_PER_UNIT);
    }

    /** Empty positions {@code next} skips per instruction charged (a check of one slot is ~1-2 ns). */
    private static final int SCANNED_PER_UNIT = 4;

    // ----------------------------------------------------------------- metatables and __index/__newindex chains

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        // Weak modes are not honoured: a __mode table is an ordinary metatable here.
        m_metatable = metatable == null || metatable.isnil() ? null
                : metatable instanceof LuaTable ? (LuaTable) metatable : metatableOf(metatable);
        return this;
    }

    /**
     * Luaj's {@code gettable} walk from this table (whose own rawget found nothing), with the hops through a chain of
     * {@code __index} tables charged: Luaj walks up to 100 of them inside one instruction, each a rawget and a
     * metatable lookup, so 1M lookups through 98 tables cost 27-65x the CPU of a plain loop (red team R1).
     */
    final LuaValue chainGet(LuaValue key) {
        LuaValue t = owner();
        for (int hop = 0; hop < MAX_TAG_LOOP; hop++) {
            LuaValue tm = t.metatag(INDEX);
            if (tm.isnil()) { chainWork(hop); return NIL; }
            if (tm.isfunction()) { chainWork(hop); return tm.call(t, key); }
            if (!tm.istable()) { chainWork(hop); return gettable(tm, key); } // a string's metatable: Luaj's walk
            LuaValue v = tm.rawget(key);
            if (!v.isnil()) { chainWork(hop + 1); return v; }
            t = tm;
        }
        chainWork(MAX_TAG_LOOP);
        return error("loop in gettable");
    }

    /** {@code settable}'s walk along {@code __newindex} from this table (rawget found nothing), charged. */
    final boolean chainSet(LuaValue key, LuaValue value) {
        LuaValue t = owner();
        for (int hop = 0; hop < MAX_TAG_LOOP; hop++) {
            LuaValue tm = t.metatag(NEWINDEX);
            if (tm.isnil()) { chainWork(hop); t.rawset(key, value); return true; }
            if (tm.isfunction()) { chainWork(hop); tm.call(t, key, value); return true; }
            if (!tm.istable()) { chainWork(hop); return settable(tm, key, value); }
            if (!tm.rawget(key).isnil()) { chainWork(hop + 1); tm.rawset(key, value); return true; }
            t = tm;
        }
        chainWork(MAX_TAG_LOOP);
        error("loop in settable");
        return false;
    }

    /** LuaValue's MAXTAGLOOP (private there). */
    private static final int MAX_TAG_LOOP = 100;

    /** Hops of a metatable chain free of charge (an object and its class, a class and its base). */
    private static final int FREE_HOPS = 3;

    /** One instruction per hop of a chain longer than {@link #FREE_HOPS}. */
    private static void chainWork(int hops) {
        if (hops > FREE_HOPS) tableWork(hops);
    }

    // ----------------------------------------------------------------- calls through __call

    /*
     * Calling a table runs its __call metamethod from Java (LuaValue.callmt), and a __call that is a table calls on
     * in Java without ever entering a Lua function: "t.__call = t" recursed until the Java stack ended. Each such
     * call counts one level of the execution's call depth, as a Lua call does.
     */
    @Override
    public LuaValue call() {
        TableSizes.Guard g = calling();
        try { return super.call(); } finally { called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg) {
        TableSizes.Guard g = calling();
        try { return super.call(arg); } finally { called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg1, LuaValue arg2) {
        TableSizes.Guard g = calling();
        try { return super.call(arg1, arg2); } finally { called(g); }
    }

    @Override
    public LuaValue call(LuaValue arg1, LuaValue arg2, LuaValue arg3) {
        TableSizes.Guard g = calling();
        try { return super.call(arg1, arg2, arg3); } finally { called(g); }
    }

    @Override
    public Varargs invoke(Varargs args) {
        TableSizes.Guard g = calling();
        try { return super.invoke(args); } finally { called(g); }
    }

    /**
     * A tail call of this table ({@code return t(x)}: Luaj's {@code TailcallVarargs} loop calls this). A function
     * {@code __call} gets the tail call's place: its own tail calls go back to that loop, as Lua's do (Luaj's
     * {@code invoke} evaluated them nested, so {@code return self(n - 1)} inside {@code __call} grew the call depth
     * until the limit: red team E5). The {@code __call} level is counted while the handler's body runs; a table
     * {@code __call} is called nested as before (a chain of them counts a level each).
     */
    @Override
    public Varargs onInvoke(Varargs args) {
        TableSizes.Guard g = calling();
        try {
            LuaValue handler = callmt();
            return handler.isfunction() ? handler.onInvoke(varargsOf(this, args)) : handler.invoke(this, args);
        } finally {
            called(g);
        }
    }

    static TableSizes.Guard calling() {
        TableSizes.Guard g = TableSizes.GUARD.get();
        if (g != null) {
            g.enter();
        }
        return g;
    }

    static void called(TableSizes.Guard g) {
        if (g != null) {
            g.exit();
        }
    }
}

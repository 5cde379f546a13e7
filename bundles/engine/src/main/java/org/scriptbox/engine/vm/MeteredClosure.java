/*******************************************************************************
* Copyright (c) 2009 Luaj.org. All rights reserved.
*
* Permission is hereby granted, free of charge, to any person obtaining a copy
* of this software and associated documentation files (the "Software"), to deal
* in the Software without restriction, including without limitation the rights
* to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
* copies of the Software, and to permit persons to whom the Software is
* furnished to do so, subject to the following conditions:
*
* The above copyright notice and this permission notice shall be included in
* all copies or substantial portions of the Software.
* 
* THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
* IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
* FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
* AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
* LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
* OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
* THE SOFTWARE.
******************************************************************************/
package org.scriptbox.engine.vm;

import java.util.Objects;

import org.luaj.vm2.Globals;
import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.TailcallVarargs;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Upvaldesc;
import org.luaj.vm2.Varargs;

/**
 * The engine's interpreter: a Lua function of one {@link Prototype}, run by a loop written for the
 * execution's {@link Meter}. One counter decrement per instruction, the call depth per call, the length of
 * {@code ..} checked before it is built, comparisons of long strings charged, positions and tracebacks
 * collected from the pc of each frame while an error unwinds ({@link Meter#errorFrame}: the one place an
 * error passes through every Lua frame, interpreted or compiled).
 *
 * <p>Its instruction cases are Luaj 3.0.1's {@code LuaClosure.execute} (MIT licence, above), so values and
 * errors are Luaj's own; it is our class, in our package, extending Luaj's public {@link LuaFunction}:
 * Luaj's {@code LuaClosure} stays as Luaj ships it and the engine never creates one (every closure of a
 * sandboxed script is a MeteredClosure or compiled code, and the sandbox's globals have no loader).
 * Upvalues: open ones are kept per register ({@code openups[register]}), which shares them exactly as
 * Luaj's search by index does.
 */
public final class MeteredClosure extends LuaFunction {
	public final Prototype p;
	public final UpValue[] upValues;
	private final Globals globals;
	private final Meter m;

	/** The closure of a main chunk (or a {@code load}ed one): its first upvalue, if any, is {@code env}. */
	public MeteredClosure(Prototype p, Globals globals, Meter meter) {
		this(p, globals, meter, new UpValue[p.upvalues == null ? 0 : p.upvalues.length]);
		if (upValues.length > 0)
			upValues[0] = new UpValue(new LuaValue[] {globals}, 0);
	}

	/** A closure with its upvalues (OP_CLOSURE here, or compiled code creating an interpreted function). */
	public MeteredClosure(Prototype p, Globals globals, Meter meter, UpValue[] upValues) {
		this.p = p;
		this.globals = globals;
		// No budget, no Lua code: there is no unmetered way to run a prototype.
		this.m = Objects.requireNonNull(meter, "an execution's meter");
		this.upValues = upValues;
		meter.closureMade(upValues.length);
	}

	public String tojstring() {
		return "function: " + p.toString();
	}

	public String name() {
		return "<"+p.shortsource()+":"+p.linedefined+">";
	}

	public final LuaValue call() {
		LuaValue[] stack = new LuaValue[p.maxstacksize];
		for (int i = 0; i < p.numparams; ++i )
			stack[i] = NIL;
		return execute(stack,NONE).arg1();
	}

	public final LuaValue call(LuaValue arg) {
		LuaValue[] stack = new LuaValue[p.maxstacksize];
		System.arraycopy(NILS, 0, stack, 0, p.maxstacksize);
		for (int i = 1; i < p.numparams; ++i )
			stack[i] = NIL;
		switch ( p.numparams ) {
		default: stack[0]=arg; return execute(stack,NONE).arg1();
		case 0: return execute(stack,arg).arg1();
		}
	}

	public final LuaValue call(LuaValue arg1, LuaValue arg2) {
		LuaValue[] stack = new LuaValue[p.maxstacksize];
		for (int i = 2; i < p.numparams; ++i )
			stack[i] = NIL;
		switch ( p.numparams ) {
		default: stack[0]=arg1; stack[1]=arg2; return execute(stack,NONE).arg1();
		case 1: stack[0]=arg1; return execute(stack,arg2).arg1();
		case 0: return execute(stack,p.is_vararg!=0? varargsOf(arg1,arg2): NONE).arg1();
		}
	}

	public final LuaValue call(LuaValue arg1, LuaValue arg2, LuaValue arg3) {
		LuaValue[] stack = new LuaValue[p.maxstacksize];
		for (int i = 3; i < p.numparams; ++i )
			stack[i] = NIL;
		switch ( p.numparams ) {
		default: stack[0]=arg1; stack[1]=arg2; stack[2]=arg3; return execute(stack,NONE).arg1();
		case 2: stack[0]=arg1; stack[1]=arg2; return execute(stack,arg3).arg1();
		case 1: stack[0]=arg1; return execute(stack,p.is_vararg!=0? varargsOf(arg2,arg3): NONE).arg1();
		case 0: return execute(stack,p.is_vararg!=0? varargsOf(arg1,arg2,arg3): NONE).arg1();
		}
	}

	public final Varargs invoke(Varargs varargs) {
		return onInvoke(varargs).eval();
	}

	public final Varargs onInvoke(Varargs varargs) {
		LuaValue[] stack = new LuaValue[p.maxstacksize];
		for ( int i=0; i<p.numparams; i++ )
			stack[i] = varargs.arg(i+1);
		return execute(stack,p.is_vararg!=0? varargs.subargs(p.numparams+1): NONE);
	}

	/**
	 * The interpreter loop. It is this method itself, not a call from it: the loop is too big to be inlined,
	 * and an extra Java call per Lua call costs measurably in call-heavy scripts.
	 */
	private Varargs execute( LuaValue[] stack, Varargs varargs ) {
		final Meter m = this.m;
		int i,a,b,c,pc=0,top=0;
		LuaValue o;
		Varargs v = NONE;
		int[] code = p.code;
		LuaValue[] k = p.k;

		// open upvalues, by register (only functions that create closures have any)
		UpValue[] openups = p.p.length>0? new UpValue[stack.length]: null;

		m.enter();

		try {
			for (; true; ++pc) {
				if (--m.ticks <= 0)
					m.tick();

				i = code[pc];
				a = ((i>>6) & 0xff);

				switch ( i & 0x3f ) {
				
				case Lua.OP_MOVE:/*	A B	R(A):= R(B)					*/
					stack[a] = stack[i>>>23];
					continue;
					
				case Lua.OP_LOADK:/*	A Bx	R(A):= Kst(Bx)					*/
					stack[a] = k[i>>>14];
					continue;
					
				case Lua.OP_LOADBOOL:/*	A B C	R(A):= (Bool)B: if (C) pc++			*/
	                stack[a] = (i>>>23!=0)? LuaValue.TRUE: LuaValue.FALSE;
	                if ((i&(0x1ff<<14)) != 0)
	                    ++pc; /* skip next instruction (if C) */
	                continue;
	
				case Lua.OP_LOADNIL: /*	A B	R(A):= ...:= R(A+B):= nil			*/
					for ( b=i>>>23; b-->=0; )
						stack[a++] = LuaValue.NIL;
					continue;
					
				case Lua.OP_GETUPVAL: /*	A B	R(A):= UpValue[B]				*/
	                stack[a] = upValues[i>>>23].getValue();
	                continue;
					
				case Lua.OP_GETTABUP: /*	A B C	R(A) := UpValue[B][RK(C)]			*/
					stack[a] = upValues[i>>>23].getValue().get((c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
	                
				case Lua.OP_GETTABLE: /*	A B C	R(A):= R(B)[RK(C)]				*/
	                stack[a] = stack[i>>>23].get((c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_SETTABUP: /*	A B C	UpValue[A][RK(B)] := RK(C)			*/
	                upValues[a].getValue().set(((b=i>>>23)>0xff? k[b&0x0ff]: stack[b]), (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_SETUPVAL: /*	A B	UpValue[B]:= R(A)				*/
					upValues[i>>>23].setValue(stack[a]);
					continue;
					
				case Lua.OP_SETTABLE: /*	A B C	R(A)[RK(B)]:= RK(C)				*/
					stack[a].set(((b=i>>>23)>0xff? k[b&0x0ff]: stack[b]), (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_NEWTABLE: /*	A B C	R(A):= {} (size = B,C)				*/
					stack[a] = new EngineTable(i>>>23,(i>>14)&0x1ff);
					continue;
					
				case Lua.OP_SELF: /*	A B C	R(A+1):= R(B): R(A):= R(B)[RK(C)]		*/
					stack[a+1] = (o = stack[i>>>23]);
					stack[a] = o.get((c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_ADD: /*	A B C	R(A):= RK(B) + RK(C)				*/
					// Arithmetic: Luaj's operation on two numbers; strings coerced as Lua reads them, metamethods
					stack[a] = Arithmetic.add(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_SUB: /*	A B C	R(A):= RK(B) - RK(C)				*/
					stack[a] = Arithmetic.sub(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_MUL: /*	A B C	R(A):= RK(B) * RK(C)				*/
					stack[a] = Arithmetic.mul(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_DIV: /*	A B C	R(A):= RK(B) / RK(C)				*/
					stack[a] = Arithmetic.div(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_MOD: /*	A B C	R(A):= RK(B) % RK(C)				*/
					stack[a] = Arithmetic.mod(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_POW: /*	A B C	R(A):= RK(B) ^ RK(C)				*/
					stack[a] = Arithmetic.pow(m, (b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]);
					continue;
					
				case Lua.OP_UNM: /*	A B	R(A):= -R(B)					*/
					stack[a] = Arithmetic.neg(m, stack[i>>>23]);
					continue;
					
				case Lua.OP_NOT: /*	A B	R(A):= not R(B)				*/
					stack[a] = stack[i>>>23].not();
					continue;
					
				case Lua.OP_LEN: /*	A B	R(A):= length of R(B)				*/
					stack[a] = stack[i>>>23].len();
					continue;
					
				case Lua.OP_CONCAT: /*	A B C	R(A):= R(B).. ... ..R(C)			*/
					b = i>>>23;
					c = (i>>14)&0x1ff;
					// numbers written as Lua writes them, the length checked and charged (vm.Concat)
					stack[a] = Concat.join(m, stack, b, c);
					continue;
					
				case Lua.OP_JMP: /*	sBx	pc+=sBx					*/
					pc  += (i>>>14)-0x1ffff;
					// a jump out of a block with a label closes upvalues even in a function that makes no closures
					// (Lua 5.2's parser marks it), and there openups is null: Luaj 3.0.1 threw there (E26)
					if (a > 0 && openups != null) {
						for (--a, b = openups.length; --b>=a; )
							if (openups[b] != null) {
								openups[b].close();
								openups[b] = null;
							}
					}
					continue;
					
				case Lua.OP_EQ: /*	A B C	if ((RK(B) == RK(C)) ~= A) then pc++		*/
					// through the meter, which charges comparisons of long strings (also LT, LE)
					if ( m.eq((b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]) != (a!=0) ) 
						++pc;
					continue;
					
				case Lua.OP_LT: /*	A B C	if ((RK(B) <  RK(C)) ~= A) then pc++  		*/
					if ( m.lt((b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]) != (a!=0) ) 
						++pc;
					continue;
					
				case Lua.OP_LE: /*	A B C	if ((RK(B) <= RK(C)) ~= A) then pc++  		*/
					if ( m.le((b=i>>>23)>0xff? k[b&0x0ff]: stack[b], (c=(i>>14)&0x1ff)>0xff? k[c&0x0ff]: stack[c]) != (a!=0) ) 
						++pc;
					continue;
					
				case Lua.OP_TEST: /*	A C	if not (R(A) <=> C) then pc++			*/ 
					if ( stack[a].toboolean() != ((i&(0x1ff<<14))!=0) ) 
						++pc;
					continue;
					
				case Lua.OP_TESTSET: /*	A B C	if (R(B) <=> C) then R(A):= R(B) else pc++	*/
					/* note: doc appears to be reversed */
					if ( (o=stack[i>>>23]).toboolean() != ((i&(0x1ff<<14))!=0) ) 
						++pc;
					else
						stack[a] = o; // TODO: should be sBx? 
					continue;
					
				case Lua.OP_CALL: /*	A B C	R(A), ... ,R(A+C-2):= R(A)(R(A+1), ... ,R(A+B-1)) */
					switch ( i & (Lua.MASK_B | Lua.MASK_C) ) {
					case (1<<Lua.POS_B) | (0<<Lua.POS_C): v=stack[a].invoke(NONE); top=a+v.narg(); continue;
					case (2<<Lua.POS_B) | (0<<Lua.POS_C): v=stack[a].invoke(stack[a+1]); top=a+v.narg(); continue;
					case (1<<Lua.POS_B) | (1<<Lua.POS_C): stack[a].call(); continue;
					case (2<<Lua.POS_B) | (1<<Lua.POS_C): stack[a].call(stack[a+1]); continue;
					case (3<<Lua.POS_B) | (1<<Lua.POS_C): stack[a].call(stack[a+1],stack[a+2]); continue;
					case (4<<Lua.POS_B) | (1<<Lua.POS_C): stack[a].call(stack[a+1],stack[a+2],stack[a+3]); continue;
					case (1<<Lua.POS_B) | (2<<Lua.POS_C): stack[a] = stack[a].call(); continue;
					case (2<<Lua.POS_B) | (2<<Lua.POS_C): stack[a] = stack[a].call(stack[a+1]); continue;
					case (3<<Lua.POS_B) | (2<<Lua.POS_C): stack[a] = stack[a].call(stack[a+1],stack[a+2]); continue;
					case (4<<Lua.POS_B) | (2<<Lua.POS_C): stack[a] = stack[a].call(stack[a+1],stack[a+2],stack[a+3]); continue;
					default:
						b = i>>>23;
						c = (i>>14)&0x1ff;
						v = stack[a].invoke(b>0? 
							varargsOf(stack, a+1, b-1): // exact arg count
							varargsOf(stack, a+1, top-v.narg()-(a+1), v));  // from prev top 
						if ( c > 0 ) {
							copyto(v, stack, a, c-1);
							v = NONE;
						} else {
							top = a + v.narg();
							v = dealias(v);
						}
						continue;
					}
					
				case Lua.OP_TAILCALL: /*	A B C	return R(A)(R(A+1), ... ,R(A+B-1))		*/
					m.tailCall(p, pc);
					switch ( i & Lua.MASK_B ) {
					case (1<<Lua.POS_B): return new TailcallVarargs(stack[a], NONE);
					case (2<<Lua.POS_B): return new TailcallVarargs(stack[a], stack[a+1]);
					case (3<<Lua.POS_B): return new TailcallVarargs(stack[a], varargsOf(stack[a+1],stack[a+2]));
					case (4<<Lua.POS_B): return new TailcallVarargs(stack[a], varargsOf(stack[a+1],stack[a+2],stack[a+3]));
					default:
						b = i>>>23;
						v = b>0? 
							varargsOf(stack,a+1,b-1): // exact arg count
							varargsOf(stack, a+1, top-v.narg()-(a+1), v); // from prev top 
						return new TailcallVarargs( stack[a], v );
					}
					
				case Lua.OP_RETURN: /*	A B	return R(A), ... ,R(A+B-2)	(see note)	*/
					b = i>>>23;
					switch ( b ) {
					case 0: return varargsOf(stack, a, top-v.narg()-a, v); 
					case 1: return NONE;
					case 2: return stack[a]; 
					default:
						return varargsOf(stack, a, b-1);
					}
					
				case Lua.OP_FORLOOP: /*	A sBx	R(A)+=R(A+2): if R(A) <?= R(A+1) then { pc+=sBx: R(A+3)=R(A) }*/
					{
						// integer loops without the double dispatch of add/gt_b/lteq_b (same result).
						LuaValue i0 = stack[a];
						LuaValue limit = stack[a + 1];
						LuaValue step = stack[a + 2];
						if (i0 instanceof LuaInteger && limit instanceof LuaInteger && step instanceof LuaInteger) {
							int s = ((LuaInteger) step).v;
							long n = (long) ((LuaInteger) i0).v + s;
							int lim = ((LuaInteger) limit).v;
							if (s > 0 ? n <= lim : n >= lim) {
								LuaValue idx = LuaInteger.valueOf(n);
								stack[a] = idx;
								stack[a + 3] = idx;
								pc += (i>>>14)-0x1ffff;
							}
							continue;
						}
					}
					{
			            LuaValue limit = stack[a + 1];
						LuaValue step  = stack[a + 2];
						LuaValue idx   = step.add(stack[a]);
			            if (step.gt_b(0)? idx.lteq_b(limit): idx.gteq_b(limit)) {
		                    stack[a] = idx;
		                    stack[a + 3] = idx;
		                    pc += (i>>>14)-0x1ffff;
			            }
					}
					continue;
					
				case Lua.OP_FORPREP: /*	A sBx	R(A)-=R(A+2): pc+=sBx				*/
					{
						// numeric strings converted as Lua converts them (Arithmetic), Lua 5.4's errors in its order
						LuaValue limit = Arithmetic.forValue(m, stack[a + 1], "limit");
						LuaValue step  = Arithmetic.forValue(m, stack[a + 2], "step");
						LuaValue init  = Arithmetic.forValue(m, stack[a], "initial value");
						stack[a] = init.sub(step);
						stack[a + 1] = limit;
						stack[a + 2] = step;
						pc += (i>>>14)-0x1ffff;
					}
					continue;

				case Lua.OP_TFORCALL: /* A C	R(A+3), ... ,R(A+2+C) := R(A)(R(A+1), R(A+2));	*/
					v = stack[a].invoke(varargsOf(stack[a+1],stack[a+2]));
					c = (i>>14) & 0x1ff;
					while (--c >= 0)
						stack[a+3+c] = v.arg(c+1);
					v = NONE;
					continue;

				case Lua.OP_TFORLOOP: /* A sBx	if R(A+1) ~= nil then { R(A)=R(A+1); pc += sBx */
					if (!stack[a+1].isnil()) { /* continue loop? */
						stack[a] = stack[a+1];  /* save control varible. */
						pc += (i>>>14)-0x1ffff;
					}
					continue;
					
				case Lua.OP_SETLIST: /*	A B C	R(A)[(C-1)*FPF+i]:= R(A+i), 1 <= i <= B	*/
					{
		                if ( (i>>>23) == 0 )
		                    m.stored(top - a - 1); // charged by their number, before the stores (Meter.stored)
		                if ( (c=(i>>14)&0x1ff) == 0 )
		                    c = code[++pc];
		                int offset = (c-1) * Lua.LFIELDS_PER_FLUSH;
		                o = stack[a];
		                if ( (b=i>>>23) == 0 ) {
		                    b = top - a - 1;
		                    int nstack = b - v.narg(); 
		                	int j=1;
		                	for ( ;j<=nstack; j++ )
		                    	o.set(offset+j, stack[a + j]);
		                	for ( ;j<=b; j++ )
		                    	o.set(offset+j, v.arg(j-nstack));
		                } else {
		                    o.presize( offset + b );
		                    for (int j=1; j<=b; j++)
		                    	o.set(offset+j, stack[a + j]);
		                }
					}
					continue;
					
				case Lua.OP_CLOSURE: /*	A Bx	R(A):= closure(KPROTO[Bx])	*/
					{
						Prototype newp = p.p[i>>>14];
						Upvaldesc[] uv = newp.upvalues;
						UpValue[] nups = new UpValue[uv.length];
						for ( int j=0, nup=uv.length; j<nup; ++j ) {
							if (uv[j].instack) { /* upvalue refers to a local variable */
								UpValue u = openups[uv[j].idx];
								nups[j] = u != null? u: (openups[uv[j].idx] = new UpValue(stack, uv[j].idx));
							} else  /* get upvalue from enclosing function */
								nups[j] = upValues[uv[j].idx];
						}
						stack[a] = new MeteredClosure(newp, globals, m, nups);
					}
					continue;
					
				case Lua.OP_VARARG: /*	A B	R(A), R(A+1), ..., R(A+B-1) = vararg		*/
					b = i>>>23;
					if ( b == 0 ) {
						// charged by their number, passed on flat (Meter.passed)
						v = m.passed(varargs);
						top = a + v.narg();
					} else { 
						for ( int j=1; j<b; ++j )
							stack[a+j-1] = varargs.arg(j);
					}
					continue;				

				case Lua.OP_EXTRAARG:
					throw new java.lang.IllegalArgumentException("Uexecutable opcode: OP_EXTRAARG");

				default:
					throw new java.lang.IllegalArgumentException("Illegal opcode: " + (i & 0x3f));
				}
			}
		} catch ( LuaError le ) {
			m.errorFrame(le, p, pc, globals.running);
			throw le;
		} catch ( Exception e ) {
			// no Java text for the script (Luaj's LuaError(e) said "vm error: java.lang....")
			LuaError le = m.internalError(e);
			m.errorFrame(le, p, pc, globals.running);
			throw le;
		} catch ( Error e ) {
			m.unwinding(e, p, pc);
			throw e;
		} finally {
			if ( openups != null )
				for ( int u=openups.length; --u>=0; )
					if ( openups[u] != null )
						openups[u].close();
			m.exit();
		}
	}

	/** Luaj's package-private {@code Varargs.copyto}: the first {@code n} values into {@code stack} from {@code a}. */
	private static void copyto(Varargs v, LuaValue[] stack, int a, int n) {
		for (int j = 0; j < n; ++j)
			stack[a + j] = v.arg(j + 1);
	}

	/**
	 * Luaj's package-private {@code Varargs.dealias}: the values of {@code v} in a Varargs of their own, so that
	 * results that point into a stack stay what they are when that stack changes.
	 */
	private static Varargs dealias(Varargs v) {
		int n = v.narg();
		switch (n) {
		case 0: return NONE;
		case 1: return v.arg1();
		case 2: return varargsOf(v.arg1(), v.arg(2));
		default:
			LuaValue[] values = new LuaValue[n];
			copyto(v, values, 0, n);
			return varargsOf(values);
		}
	}
}

package org.luaj.vm2.luajc;

import org.luaj.vm2.Lua;
import org.luaj.vm2.Prototype;

/**
 * scriptbox: where compiled code charges the instruction budget, and how much. A block that no
 * instruction jumps to can only be reached by falling through from the block before it, so it is charged
 * together with that block, at the head of their chain: the chain's total is charged when its head starts.
 * Every instruction that runs was therefore charged when it, or the head of its chain, started (never
 * fewer than the interpreter counts; more where a branch leaves a chain early). A for loop's FORLOOP, which
 * only FORPREP jumps to, is charged with the loop body (one charge per iteration) and once with FORPREP;
 * the code after a loop starts a chain of its own.
 */
final class BlockCharges {
    private BlockCharges() {
    }

    /** The charge at the start of each block in {@code blocks} (0: the block is charged by its chain's head). */
    static int[] of(Prototype p, BasicBlock[] blocks) {
        int n = p.code.length;
        int[] jumpsInto = new int[n + 1];
        int[] forprepsInto = new int[n + 1];
        for (int pc = 0; pc < n; pc++) {
            int target = jumpTarget(p.code[pc], pc);
            if (target >= 0 && target < n) {
                jumpsInto[target]++;
                if (Lua.GET_OPCODE(p.code[pc]) == Lua.OP_FORPREP) {
                    forprepsInto[target]++;
                }
            }
        }
        int[] charges = new int[blocks.length];
        int head = -1;
        for (int i = 0; i < blocks.length; i++) {
            BasicBlock b = blocks[i];
            int pc0 = b.pc0;
            boolean onlyFromForprep = Lua.GET_OPCODE(p.code[pc0]) == Lua.OP_FORLOOP && jumpsInto[pc0] == forprepsInto[pc0];
            // After a loop's FORLOOP/TFORLOOP the code runs once per loop, not once per iteration: a new chain.
            int previousOp = i > 0 ? Lua.GET_OPCODE(p.code[blocks[i - 1].pc1]) : -1;
            boolean afterLoop = previousOp == Lua.OP_FORLOOP || previousOp == Lua.OP_TFORLOOP;
            if (head < 0 || afterLoop || (jumpsInto[pc0] > 0 && !onlyFromForprep)) {
                head = i;
            }
            charges[head] += b.pc1 - pc0 + 1;
            if (Lua.GET_OPCODE(p.code[b.pc1]) == Lua.OP_FORPREP) {
                charges[head] += 1; // the FORLOOP it jumps to, charged with the loop body otherwise
            }
        }
        return charges;
    }

    /** Where the instruction at {@code pc} may jump (besides falling through), or -1. */
    static int jumpTarget(int ins, int pc) {
        switch (Lua.GET_OPCODE(ins)) {
            case Lua.OP_JMP:
            case Lua.OP_FORLOOP:
            case Lua.OP_FORPREP:
            case Lua.OP_TFORLOOP:
                return pc + 1 + Lua.GETARG_sBx(ins);
            case Lua.OP_EQ:
            case Lua.OP_LT:
            case Lua.OP_LE:
            case Lua.OP_TEST:
            case Lua.OP_TESTSET:
                return pc + 2;
            case Lua.OP_LOADBOOL:
                return Lua.GETARG_C(ins) != 0 ? pc + 2 : -1;
            default:
                return -1;
        }
    }
}

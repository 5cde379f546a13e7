/** The sandboxed Luaj engine: restricted globals, instruction budget, limits, deadline and cancel. Not exported. */
package org.scriptbox.engine.internal;

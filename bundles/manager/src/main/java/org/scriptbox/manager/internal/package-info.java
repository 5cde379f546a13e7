/** Script registry and lifecycle, metadata (TOML), statistics, import/export. Not exported. */
package org.scriptbox.manager.internal;

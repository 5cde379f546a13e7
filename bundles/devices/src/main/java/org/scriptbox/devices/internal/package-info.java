/** The Lua device API over Device services: validation, permissions, token-bucket rate limits. Not exported. */
package org.scriptbox.devices.internal;

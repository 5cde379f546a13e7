/** Simulated devices configured by ConfigAdmin factory configurations, with injectable faults. Not exported. */
package org.scriptbox.driversim.internal;

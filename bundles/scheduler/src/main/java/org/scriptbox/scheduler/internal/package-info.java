/** Schedules (once, interval, cron, manual), overlap and misfire policies, resource monitor. Not exported. */
package org.scriptbox.scheduler.internal;

/** The web console: static files served with strict headers; everything it shows comes from the REST API. */
package org.scriptbox.web.internal;

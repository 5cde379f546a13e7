/** The REST API: HTTP Whiteboard servlet, authentication, audit, JSON views of the api services. */
package org.scriptbox.rest.internal;

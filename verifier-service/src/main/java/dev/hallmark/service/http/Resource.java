package dev.hallmark.service.http;

import io.vertx.ext.web.Router;

/** One route group of the API, constructed with the dependencies it needs. */
interface Resource {

    /** Adds the group's routes to {@code router}. */
    void mount(Router router);
}

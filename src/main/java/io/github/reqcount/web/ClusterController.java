package io.github.reqcount.web;

import io.github.reqcount.cluster.ClusterSnapshot;
import io.github.reqcount.cluster.ClusterView;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The operator's view: every replica's count, liveness and the total. Reading it counts nothing. */
@RestController
class ClusterController {

    private final ClusterView view;

    ClusterController(ClusterView view) {
        this.view = view;
    }

    @GetMapping(path = "/cluster", produces = MediaType.APPLICATION_JSON_VALUE)
    ClusterSnapshot cluster() {
        return view.read();
    }
}

package io.thoonk.coordinator.grpc;

import io.thoonk.contract.NameRules;
import io.thoonk.coordinator.CoordinatorException;

/** Team ids in requests follow the contract's rules, as the client's do; a violation is INVALID_ARGUMENT. */
final class TeamNames {

    private TeamNames() {
    }

    static String valid(String team) {
        NameRules.team(team).ifPresent(v -> {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, v.message());
        });
        return team;
    }
}

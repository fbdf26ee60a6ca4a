package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SortedCommandTest extends RedisCliTestSupport {

    @Test
    void insertsAndMovesKeepTheOrder() {
        cli.run("sorted", "append", "board", "b");          // id 1
        cli.run("sorted", "prepend", "board", "a");         // id 2
        cli.run("sorted", "after", "board", "1", "c");      // id 3
        cli.run("sorted", "before", "board", "2", "zero");  // id 4
        assertThat(items()).containsExactly("4\tzero", "2\ta", "1\tb", "3\tc");

        Result moved = cli.run("sorted", "move", "board", "4", ":end");
        assertThat(moved.exitCode()).as(moved.toString()).isZero();
        cli.run("sorted", "move", "board", "3", "2:");
        cli.run("sorted", "edit", "board", "1", "B");
        assertThat(items()).containsExactly("2\ta", "3\tc", "1\tB", "4\tzero");

        assertThat(cli.run("sorted", "retract", "board", "3").exitCode()).isZero();
        assertThat(items()).containsExactly("2\ta", "1\tB", "4\tzero");
        Result again = cli.run("sorted", "retract", "board", "3");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("thoonk: 'board' has no item with id '3'" + System.lineSeparator());
    }

    @Test
    void moveWithABadPositionIsAUsageError() {
        cli.run("sorted", "append", "board", "a");

        Result result = cli.run("sorted", "move", "board", "1", "middle");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: ").contains("'middle'").contains("begin:");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void moveOfAnUnknownItemIsAFailure() {
        cli.run("sorted", "append", "board", "a");

        Result result = cli.run("sorted", "move", "board", "7", "begin:");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: ").contains("'7'");
    }

    private java.util.List<String> items() {
        return cli.run("sorted", "all", "board").lines();
    }
}

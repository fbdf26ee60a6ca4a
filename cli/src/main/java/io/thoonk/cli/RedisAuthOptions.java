package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.contract.RedisCredentials;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The Redis credentials of every command that connects to Redis nodes: {@code thoonk coordinator}
 * and the data commands ({@link ConnectionOptions}). The password never goes on the command line,
 * where every user of the machine sees it ({@code ps}): it comes from the environment or from a
 * file, as Kubernetes mounts a Secret. Each comes from the first place that has it:
 *
 * <ul>
 *   <li>password: {@code --redis-password-file FILE}, else {@value #PASSWORD_ENV}, else the file
 *       {@value #PASSWORD_FILE_ENV} names, else the config file's {@code redis-password-file}
 *       (coordinator only); {@value #PASSWORD_ENV} and {@value #PASSWORD_FILE_ENV} together are an
 *       error. A file's trailing line break is not part of the password;</li>
 *   <li>user: {@code --redis-username NAME}, else {@value #USERNAME_ENV}, else the config file's
 *       {@code redis-username}, else Redis' {@code default} user (what {@code requirepass} sets).</li>
 * </ul>
 *
 * {@code --redis-password} is refused with a message saying where to put the password instead.
 * Mixed into a command group ({@link ConnectionOptions}), the options are inherited by its
 * subcommands; {@code thoonk coordinator} declares the same flags among its other settings
 * ({@link CoordinatorSettings}) and resolves them here too.
 */
public final class RedisAuthOptions {

    /** Environment variable holding the Redis password. */
    static final String PASSWORD_ENV = "THOONK_REDIS_PASSWORD";
    /** Environment variable naming a file that holds the Redis password. */
    static final String PASSWORD_FILE_ENV = "THOONK_REDIS_PASSWORD_FILE";
    /** Environment variable holding the Redis ACL user name. */
    static final String USERNAME_ENV = "THOONK_REDIS_USERNAME";
    /** Config file keys (coordinator only). */
    static final String PASSWORD_FILE_KEY = "redis-password-file";
    static final String USERNAME_KEY = "redis-username";

    @Option(names = "--redis-password-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Read the Redis password from FILE, e.g. a Kubernetes Secret mounted as a file (a trailing "
                    + "line break is ignored). Default: $" + PASSWORD_ENV + ", else the file $" + PASSWORD_FILE_ENV
                    + " names; without either, no authentication.")
    private String passwordFile;

    @Option(names = "--redis-username", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "Redis ACL user to authenticate as ($" + USERNAME_ENV + "; default: the 'default' user, "
                    + "which a password alone authenticates as).")
    private String username;

    /** Taken only to refuse it with a message saying what to do instead. */
    @Option(names = "--redis-password", paramLabel = "PASSWORD", scope = ScopeType.INHERIT, hidden = true)
    private String refusedPassword;

    /** The credentials from the flags and this process's environment. */
    RedisCredentials credentials() {
        refuseCommandLinePassword(refusedPassword);
        return resolve(username, passwordFile, System.getenv(), new Properties());
    }

    /**
     * Refuses a password given on the command line ({@code --redis-password}, null when not given).
     *
     * @throws InvalidArgumentException saying where to put the password instead
     */
    static void refuseCommandLinePassword(String given) {
        if (given != null) {
            throw new InvalidArgumentException("--redis-password is not accepted: on the command line every user of "
                    + "this machine can read it (ps); set " + PASSWORD_ENV + ", or use --redis-password-file FILE");
        }
    }

    /**
     * The credentials from the flags given ({@code null} when not), {@code env} and the config
     * {@code file} (empty for the data commands), in the order the class comment gives.
     *
     * @throws InvalidArgumentException naming the source (never the password) when a password file cannot be read or
     *                                  is empty, both password variables are set, or a user comes without a password
     */
    static RedisCredentials resolve(String usernameFlag, String passwordFileFlag, Map<String, String> env,
                                    Properties file) {
        char[] password = password(passwordFileFlag, env, file);
        Sourced user = first(new Sourced(usernameFlag, "--redis-username"), fromEnv(env, USERNAME_ENV),
                new Sourced(file.getProperty(USERNAME_KEY), "the config file's " + USERNAME_KEY));
        if (password == null) {
            if (user != null) {
                throw new InvalidArgumentException("a Redis user (" + user.value() + ", from " + user.source()
                        + ") needs a password: set " + PASSWORD_ENV + ", or use --redis-password-file FILE");
            }
            return RedisCredentials.none();
        }
        try {
            return user == null ? RedisCredentials.password(password) : RedisCredentials.of(user.value(), password);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("invalid Redis credentials: " + e.getMessage());
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    private static char[] password(String passwordFileFlag, Map<String, String> env, Properties file) {
        if (passwordFileFlag != null) {
            return read(passwordFileFlag, "--redis-password-file");
        }
        Sourced value = fromEnv(env, PASSWORD_ENV);
        Sourced path = fromEnv(env, PASSWORD_FILE_ENV);
        if (value != null && path != null) {
            throw new InvalidArgumentException("both " + PASSWORD_ENV + " and " + PASSWORD_FILE_ENV + " are set: "
                    + "set one of them");
        }
        if (value != null) {
            return value.value().toCharArray();
        }
        if (path != null) {
            return read(path.value(), path.source());
        }
        String fromFile = file.getProperty(PASSWORD_FILE_KEY);
        return fromFile == null || fromFile.isBlank() ? null
                : read(fromFile.trim(), "the config file's " + PASSWORD_FILE_KEY);
    }

    /** The password in {@code path}, without trailing line breaks. */
    private static char[] read(String path, String source) {
        String text;
        try {
            text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidArgumentException("cannot read the Redis password file " + path + " (from " + source
                    + "): " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new InvalidArgumentException("the Redis password file " + path + " (from " + source + ") is empty");
        }
        return text.substring(0, end).toCharArray();
    }

    /** A value and where it came from, for messages. */
    private record Sourced(String value, String source) {
    }

    private static Sourced fromEnv(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : new Sourced(value, "$" + name);
    }

    private static Sourced first(Sourced... candidates) {
        for (Sourced s : candidates) {
            if (s != null && s.value() != null && !s.value().isBlank()) {
                return new Sourced(s.value().trim(), s.source());
            }
        }
        return null;
    }
}

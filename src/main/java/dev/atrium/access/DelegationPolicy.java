package dev.atrium.access;

import dev.atrium.problem.Problem;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The delegation rules, in one place: whoever grants, revokes, creates or edits a role, or
 * changes another account's credentials or flags, may only hand out what it holds itself.
 * <ul>
 *   <li>a role's permissions must be a subset of what the actor may use ({@link Caller#may});</li>
 *   <li>nobody changes their own grants, a role they hold, or their own account through the
 *       admin routes (their own changes go through /api/auth/me and /api/auth/password);</li>
 *   <li>the built-in {@code admin} role, built-in roles' permissions and the superuser and staff
 *       flags are for superusers only;</li>
 *   <li>an account that holds any permission the actor lacks (or is a superuser) is stronger:
 *       its password, email, flags and grants are out of the actor's reach.</li>
 * </ul>
 * Superusers (signed in, never through a key) pass every rule. A refusal is a 403 whose code
 * names the rule; {@link #CODES} lets the caller audit it.
 */
public final class DelegationPolicy {
  public static final String ADMIN_ROLE = "admin";
  public static final String UNHELD = "cannot_grant_unheld_permission";
  public static final String STRONGER = "cannot_modify_stronger_account";
  public static final String SELF = "cannot_modify_self";
  public static final String SUPERUSER_ONLY = "superuser_required";
  public static final Set<String> CODES = Set.of(UNHELD, STRONGER, SELF, SUPERUSER_ONLY);

  private DelegationPolicy() {
  }

  /** Granting or revoking a role of {@code target}. */
  public static void checkGrant(Caller actor, AccessState target, String roleName, boolean builtin,
                                Collection<String> rolePermissions) {
    if (actor.superuser()) {
      return;
    }
    if (target.userId().equals(actor.userId())) {
      throw refuse(SELF, "Nobody changes their own grants");
    }
    if (builtin && ADMIN_ROLE.equals(roleName)) {
      throw refuse(SUPERUSER_ONLY, "Only a superuser grants or revokes the built-in admin role");
    }
    checkHandOut(actor, rolePermissions);
    checkStronger(actor, target);
  }

  /** Creating a role with these permissions. */
  public static void checkNewRole(Caller actor, Collection<String> permissions) {
    if (!actor.superuser()) {
      checkHandOut(actor, permissions);
    }
  }

  /**
   * Editing or deleting a role: {@code before} and {@code after} are its permission sets (equal
   * when they do not change); {@code heldByActor} when the actor holds a live grant of it.
   */
  public static void checkRoleChange(Caller actor, boolean builtin, boolean heldByActor, Collection<String> before,
                                     Collection<String> after) {
    if (actor.superuser()) {
      return;
    }
    if (builtin) {
      throw refuse(SUPERUSER_ONLY, "Only a superuser changes a built-in role");
    }
    if (heldByActor) {
      throw refuse(SELF, "Nobody changes a role they hold");
    }
    Set<String> touched = new TreeSet<>(before);
    touched.addAll(after);
    checkHandOut(actor, touched);
  }

  /** Changing or removing a permission (renaming it, deleting it from every role). */
  public static void checkPermissionChange(Caller actor, String codename) {
    if (!actor.superuser()) {
      checkHandOut(actor, Set.of(codename));
    }
  }

  /**
   * Changing another account through the admin routes. {@code sensitive} when the change
   * touches its password, email, flags or existence; {@code credentials} when it touches its
   * password or email (never on one's own account here, superusers included: that needs the
   * current password at /api/auth/password); other fields (names, phone) only need the
   * route's permission. Setting the staff or superuser flag needs a superuser.
   */
  public static void checkAccountChange(Caller actor, AccessState target, boolean sensitive, boolean credentials,
                                        boolean privilegedFlags) {
    if (credentials && target.userId().equals(actor.userId())) {
      throw refuse(SELF, "Change your own password and email through /api/auth/password and /api/auth/me");
    }
    if (actor.superuser()) {
      return;
    }
    if (privilegedFlags) {
      throw refuse(SUPERUSER_ONLY, "Only a superuser sets the staff or superuser flag");
    }
    if (target.userId().equals(actor.userId())) {
      throw refuse(SELF, "Change your own account through /api/auth/me and /api/auth/password");
    }
    if (sensitive) {
      checkStronger(actor, target);
    }
  }

  /** Creating an account: only superusers create staff or superusers. */
  public static void checkNewAccount(Caller actor, boolean privilegedFlags) {
    if (privilegedFlags && !actor.superuser()) {
      throw refuse(SUPERUSER_ONLY, "Only a superuser creates staff or superuser accounts");
    }
  }

  private static void checkHandOut(Caller actor, Collection<String> permissions) {
    Set<String> missing = new TreeSet<>();
    for (String p : permissions) {
      if (!actor.may(p)) {
        missing.add(p);
      }
    }
    if (!missing.isEmpty()) {
      throw refuse(UNHELD, "You cannot hand out permissions you do not hold: " + String.join(", ", missing));
    }
  }

  private static void checkStronger(Caller actor, AccessState target) {
    if (target.superuser() || !actor.usable().containsAll(target.permissions())) {
      throw refuse(STRONGER, "This account holds permissions you do not hold");
    }
  }

  private static Problem refuse(String code, String detail) {
    return Problem.of(403, code, detail);
  }
}

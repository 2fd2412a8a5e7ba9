//! pest's rules in words.

use crate::grammar::Rule;

/// A grammar rule as a message names what it expected there (pest names
/// the rules it tried when no literal token was expected).
pub(super) fn describe(rule: &Rule) -> &'static [&'static str] {
    match rule {
        Rule::item
        | Rule::item_only
        | Rule::file
        | Rule::param_decl
        | Rule::feature_decl
        | Rule::constraint_decl
        | Rule::permset_decl
        | Rule::actionset_decl
        | Rule::valueset_decl
        | Rule::policy_decl
        | Rule::role_decl => &["an item (`param`, `feature`, `constraint`, a set, `policy` or `role`)"],
        Rule::stmt_field => &["a statement field (`action`, `notaction`, `resource`, `notresource` or `condition`)"],
        Rule::item_field => &["`name`", "`description`"],
        Rule::body_entry | Rule::body_entry_only => {
            &["a statement (`allow` or `deny`)", "`include`", "a `with condition` block"]
        }
        Rule::statement => &["a statement (`allow` or `deny`)"],
        Rule::effect => &["`allow`", "`deny`"],
        Rule::role_field | Rule::role_field_only => {
            &["a role field (`trust`, `managed`, `inline`, `attach`, `boundary`, `path`, `name` or `description`)"]
        }
        Rule::principal_kind => &["`service`", "`aws`", "`federated`"],
        Rule::when_clause => &["`when`"],
        Rule::splittable_kw => &["`splittable`"],
        Rule::for_kw => &["`for`"],
        Rule::in_kw => &["`in`"],
        Rule::with_kw => &["`with`"],
        Rule::optional_mark => &["`?`"],
        Rule::type_args | Rule::type_arg | Rule::star_arg | Rule::max_arg | Rule::pattern_arg => {
            &["type arguments in `(...)`"]
        }
        Rule::resource_type_arg => &["a resource type (`service:type`)"],
        Rule::max_kw => &["`max`"],
        Rule::pattern_kw => &["`pattern`"],
        Rule::bool_type => &["`bool`"],
        Rule::enum_type => &["`enum`"],
        Rule::type_expr | Rule::scalar_type | Rule::list_type => &["a type"],
        Rule::or_op => &["`or`"],
        Rule::and_op => &["`and`"],
        Rule::not_op => &["`not`"],
        Rule::cmp_op => &["a comparison (`==` or `!=`)"],
        Rule::expr | Rule::and_expr | Rule::unary | Rule::primary | Rule::paren | Rule::comparison => &["a guard"],
        Rule::cmp_value | Rule::feature_value | Rule::bool_lit => &["a value (a name, `true`, `false` or a string)"],
        Rule::number => &["a number"],
        Rule::values | Rule::value_list | Rule::guarded_value | Rule::value_item | Rule::each_item => {
            &["a value (a string, a param's name or `@valueset`)"]
        }
        Rule::action_list | Rule::guarded_action | Rule::action_item | Rule::action_name => {
            &["an action (`service:Action` or `@actionset`)"]
        }
        Rule::string | Rule::literal | Rule::string_list | Rule::str_inner => &["a string"],
        Rule::ident | Rule::keyword | Rule::glued_keyword | Rule::ident_char => &["a name"],
        Rule::name_field | Rule::name_kw => &["`name`"],
        Rule::description_field | Rule::description_kw => &["`description`"],
        Rule::condition_block => &["a `with condition` block"],
        Rule::include_entry => &["`include`"],
        Rule::action_field | Rule::action_kw => &["`action`"],
        Rule::resource_field | Rule::resource_kw => &["`resource`"],
        Rule::condition_field => &["`condition`"],
        Rule::role_path => &["`path`"],
        Rule::role_trust => &["`trust`"],
        Rule::trust_block => &["a trust block (`{ condition ...; action ...; }`)"],
        Rule::role_managed => &["`managed`"],
        Rule::role_inline => &["`inline`"],
        Rule::role_attach => &["`attach`"],
        Rule::role_boundary => &["`boundary`"],
        Rule::set_ref => &["`@name`"],
        Rule::cond_op => &["a condition operator (`StringEquals`, `ArnLike`, ...)"],
        Rule::diag_code => &["a diagnostic code (`W0509`)"],
        Rule::expect_attr | Rule::expect_kw => &["`expect`"],
        Rule::doc | Rule::doc_text => &["`///`"],
        Rule::EOI => &["the end of the input"],
        // silent: pest never reports them (the match names every rule, so
        // a rule added to the grammar cannot reach a message by its name)
        Rule::WHITESPACE | Rule::COMMENT | Rule::line_char => &["a blank or a comment"],
    }
}

Feature: Every taggable resource carries the module's tags
  The tags given to the module (the root's `tags` variable, or the `tags` an example passes to the module)
  and a Name tag. (The step is ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: taggable resources carry the module's tags and a Name
    Given I have resource that supports tags defined
    Then it must carry the module's tags and a Name tag

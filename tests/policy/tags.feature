Feature: Every taggable resource carries the module's tags
  (issue 5, Tags)

  @noskip
  Scenario: taggable resources have the module's tags
    Given I have resource that supports tags defined
    Then it must contain tags
    And it must contain Name
